"""A catalogue of real buggy programs and their fixes, ported small: each module holds one
program from a public source (StackOverflow questions via the DeepLocalize and DeepFD
benchmarks, AUTOTRAINER's and DeepDiagnosis's circle models, forum threads), with its data
(generated in code), the true cause and the fix, in its docstring and its PROGRAM record.
tests/test_doctor_catalogue.py runs every program, buggy and fixed, through the doctor."""
from importlib import import_module

NAMES = ("so31556268", "so31880720", "so33969059", "so34311586", "so39525358", "so44066044", "so45442843",
         "so48221692", "so48934338", "so52800582", "cv284189", "dlai324182", "autotrainer_vanish",
         "autotrainer_tiny_init", "autotrainer_exponential", "pt96648", "pt_quadratic")
PROGRAMS = [import_module(f"{__name__}.{name}").PROGRAM for name in NAMES]
