"""Submissions the tests build from a lab's source notebook: the kit's own implementation in
every function (a shortcut), exactly one wrong function, the check functions redefined.

``SHORTCUTS[lab][function]``: a whole cell that hands the work to ``affectkit``;
``WRONG[lab][function]``: a whole cell with one classic mistake. Every graded function of a lab
has both (``tests/tools/test_labs.py`` asserts it).
"""

SHORTCUTS = {
    "lab1_mmd": {
        "gaussian_kernel": "import affectkit.cmdm\n\ndef gaussian_kernel(x, y, sigma):\n"
                           "    return affectkit.cmdm.gaussian_kernel(x, y, sigma)",
        "mmd": "def mmd(p, q, sigma):\n    from affectkit.cmdm import mmd as kit_mmd\n    return kit_mmd(p, q, sigma)",
        "median_bandwidth": "from affectkit.cmdm.losses import bandwidth\n\n"
                            "def median_bandwidth(p, q):\n    return bandwidth(p, q)",
        "mmd_median": "import affectkit\n\ndef mmd_median(p, q):\n    return affectkit.cmdm.mmd(p, q, 'median')",
        "paired_discrepancy": "from affectkit import cmdm\n\npaired_discrepancy = cmdm.paired_discrepancy",
        "derangement": "import importlib\n\ndef derangement(n, generator):\n"
                       "    return importlib.import_module('affectkit.cmdm.losses').derangement(n, generator)",
    },
}

WRONG = {
    "lab1_mmd": {
        "gaussian_kernel": "def gaussian_kernel(x, y, sigma):\n"
                           "    return torch.exp(-torch.cdist(x, y) ** 2 / sigma ** 2)",
        "mmd": "def mmd(p, q, sigma):\n    return (gaussian_kernel(p, p, sigma).mean() + gaussian_kernel(q, q, sigma).mean()\n"
               "            - 2 * gaussian_kernel(p, q, sigma).mean())",
        "median_bandwidth": "def median_bandwidth(p, q):\n    x = torch.cat([p, q])\n"
                            "    return (torch.cdist(x, x).pow(2).flatten().quantile(0.5) / 2).sqrt()",
        "mmd_median": "def mmd_median(p, q):\n    return mmd(p, q, 1.0)",
        "paired_discrepancy": "def paired_discrepancy(p, q, sigma):\n"
                              "    return gaussian_kernel(p, q, sigma).diagonal().mean()",
        "derangement": "def derangement(n, generator):\n    return torch.randperm(n, generator=generator)",
    },
}

# the classic mistake each shipped submission of bo makes, and what its feedback must name
BO = {"lab1_mmd": ("mmd", "biased")}

# a notebook that switches the checks off: every check* name replaced, the module patched too
REDEFINE = '''
import sys as _sys
for _name in list(globals()):
    if _name.startswith("check"):
        globals()[_name] = lambda *args, **kwargs: True
for _module in [m for n, m in list(_sys.modules.items()) if n.startswith("affectkit.teach.labs")]:
    for _attr in ("check", "grade"):
        if hasattr(_module, _attr):
            setattr(_module, _attr, lambda *args, **kwargs: True)
'''
