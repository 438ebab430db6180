"""surefit signals: linear maps (FIR filter, DFT) learned from before/after pairs, and the
amplitude spectrum as a learned DFT layer followed by one small shared magnitude network."""
from .generate import (dft_pairs, fir_pairs, load_pairs, magnitude_spectrum, real_dft,
                       spectrum_pairs, true_matrix)
from .linear import LinearFit, learn_fir, learn_linear
from .spectrum import (SpectrumModel, SpectrumSettings, compare_plain, error_vs_m, fit_spectrum,
                       generated_fit, geometric_bound, smallest_m)

__all__ = ["dft_pairs", "fir_pairs", "load_pairs", "magnitude_spectrum", "real_dft", "spectrum_pairs",
           "true_matrix", "LinearFit", "learn_fir", "learn_linear", "SpectrumModel", "SpectrumSettings",
           "compare_plain", "error_vs_m", "fit_spectrum", "generated_fit", "geometric_bound", "smallest_m"]
