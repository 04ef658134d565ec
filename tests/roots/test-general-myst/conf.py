# A MyST project written for MyST itself (not for Field Guide Press's page format).
project = "MyST Project"
author = "A. Writer"
extensions = ["press"]
myst_enable_extensions = ["colon_fence", "dollarmath", "substitution", "attrs_block", "attrs_inline", "tasklist", "deflist"]
myst_substitutions = {"global_word": "GLOBALSUB"}
myst_dmath_double_inline = True  # $$…$$ inside a paragraph is display math
