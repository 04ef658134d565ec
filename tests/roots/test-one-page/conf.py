# A one-page project with no toctree at all (issue 19: the web book crashed on it).
project = "One Page"
author = "A. Writer"
extensions = ["press"]
