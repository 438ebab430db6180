"""surefit signal fir | dft | spectrum: learn a signal map from before/after pairs.

Pairs are generated (white-noise signals, --signals of them, --seed) or the user's own:
--csv BEFORE AFTER or --npy BEFORE AFTER, one signal per row in each file.
"""
from __future__ import annotations

from ..errors import SurefitError
from .output import console, json_text, planned_outputs, table, write_outputs


def register(sub) -> None:
    p = sub.add_parser("signal", help="learn a FIR filter, a DFT or an amplitude spectrum from signal pairs",
                       description="Learn a signal map from before/after pairs, generated or your own.")
    kinds = p.add_subparsers(dest="kind", required=True, metavar="KIND")
    fir = kinds.add_parser("fir", help="the taps of a causal FIR filter (least squares)")
    fir.add_argument("--taps", help="the true taps, e.g. 0.25,0.5,0.25 (generates the pairs; "
                                    "with --csv/--npy, only compared with)")
    fir.add_argument("--n-taps", type=int, default=None, help="taps to learn (default: the signal length)")
    dft = kinds.add_parser("dft", help="the real DFT as a matrix (least squares)")
    spec = kinds.add_parser("spectrum", help="|DFT| by a learned DFT layer and one shared 2 -> m -> 1 net")
    spec.add_argument("--hidden", type=int, default=8, help="m, the magnitude net's width (default 8)")
    spec.add_argument("--pairs", type=int, default=1000, help="(re, im) pairs the magnitude net is fitted on")
    spec.add_argument("--candidates", type=int, default=None,
                      help="networks trained side by side, the best kept (default: by network size)")
    spec.add_argument("--max-steps", type=int, default=None, help="step limit of each trainer")
    spec.add_argument("--sweep", type=int, nargs="+", help="also measure these widths, e.g. 2 3 4 5 6 8: error vs m")
    spec.add_argument("--compare", type=int, default=0, metavar="SEEDS",
                      help="also train a plain MLP of the same parameter count on this many seeds")
    spec.add_argument("--threshold", type=float, default=0.02,
                      help="relative error counted as success in --sweep and --compare (default 0.02)")
    for q, run in ((fir, run_fir), (dft, run_dft), (spec, run_spectrum)):
        q.add_argument("--length", type=int, default=32, help="samples per generated signal (default 32)")
        q.add_argument("--signals", type=int, default=None, help="generated training signals")
        q.add_argument("--seed", type=int, default=0, help="random seed of the generated signals (default 0)")
        q.add_argument("--csv", nargs=2, metavar=("BEFORE", "AFTER"), help="your pairs: two CSV files")
        q.add_argument("--npy", nargs=2, metavar=("BEFORE", "AFTER"), help="your pairs: two .npy files")
        q.add_argument("--json", help="write the report as JSON here")
        q.add_argument("--plot", help="write a picture here (.png, .pdf, .svg, ...)")
        q.set_defaults(run=run)


def user_pairs(args):
    from ..signals import generate
    if args.csv and args.npy:
        raise SurefitError("give either --csv or --npy, not both")
    files, fmt = (args.csv, "csv") if args.csv else (args.npy, "npy")
    return generate.load_pairs(*files, fmt) if files else None


def run_fir(args) -> int:
    from ..signals import generate, linear, plots
    pairs = user_pairs(args)
    true = generate.parse_taps(args.taps) if args.taps is not None else None
    if pairs is None:
        if true is None:
            raise SurefitError("give the filter's --taps, e.g. --taps 0.25,0.5,0.25, or your pairs with --csv")
        pairs = generate.fir_pairs(true, args.length, args.signals, args.seed)
    learned = linear.learn_fir(*pairs, args.n_taps)
    report = {"kind": "fir", "length": pairs[0].shape[1], "signals": len(pairs[0]),
              "taps": linear.significant(learned.weights).tolist(), "residual": learned.residual}
    if true is not None:
        report |= {"true_taps": true.tolist(), "max_abs_error": learned.max_abs_error(true)}
    rows = [["learned taps", ", ".join(f"{t:.6g}" for t in report["taps"])],
            ["relative residual on the pairs", learned.residual]]
    if true is not None:
        rows += [["true taps", ", ".join(f"{t:.6g}" for t in true)], ["max |learned - true|", report["max_abs_error"]]]
    show(report, rows)
    write(args, report, lambda path, format: plots.plot_taps(learned.weights, true, path, format))
    return 0


def run_dft(args) -> int:
    from ..signals import generate, linear, plots
    pairs = user_pairs(args) or generate.dft_pairs(args.length, args.signals, args.seed)
    learned = linear.learn_linear(*pairs)
    length = pairs[0].shape[1]
    true = generate.true_matrix(generate.real_dft, length)
    matches = learned.weights.shape == true.shape
    report = {"kind": "dft", "length": length, "signals": len(pairs[0]), "shape": list(learned.weights.shape),
              "residual": learned.residual}
    rows = [["learned matrix", f"{learned.weights.shape[0]} x {length} "
                               f"({length // 2 + 1} real parts, then as many imaginary parts)"],
            ["relative residual on the pairs", learned.residual]]
    if matches:
        report["max_abs_error"] = learned.max_abs_error(true)
        rows.append(["max |learned - true DFT|", report["max_abs_error"]])
    else:
        rows.append(["compared", f"no: a real DFT of length {length} is {true.shape[0]} x {length}"])
    show(report, rows)
    write(args, report, lambda path, format: plots.plot_matrix(learned.weights, true if matches else None,
                                                                path, format))
    return 0


def run_spectrum(args) -> int:
    from ..signals import plots, spectrum
    if args.compare < 0:
        raise SurefitError(f"--compare takes a number of seeds, not {args.compare}")
    settings = spectrum.SpectrumSettings(hidden=args.hidden, pairs=args.pairs, seed=args.seed,
                                         candidates=args.candidates, max_steps=args.max_steps,
                                         signals=args.signals or spectrum.SpectrumSettings.signals)
    pairs = user_pairs(args)
    run = spectrum.held_out_fit(*pairs, settings) if pairs else spectrum.generated_fit(args.length, settings)
    length = run.model.dft.shape[1]
    bound = spectrum.geometric_bound(args.hidden)
    net = run.model.magnitude
    report = {"kind": "spectrum", "length": length, "signals": run.signals, "test_signals": len(run.test[0]),
              "hidden": args.hidden, "relative_error": run.error,
              "geometric_bound": bound, "ratio_to_bound": run.error / bound, "params": run.model.n_params,
              "magnitude_net": net.report()}
    rows = [["network", f"learned DFT layer, then 2 -> {args.hidden} relu -> 1 on every bin "
                        f"({run.model.n_params} parameters)"],
            [f"relative error ({len(run.test[0])} held-out signals)", run.error],
            ["geometric bound B(m)", f"{bound:.3g} (best regular {2 * args.hidden}-gon pyramid)"],
            ["magnitude net", f"{net.status}; units alive {net.units_alive}/{net.units_total}"]]
    show(report, rows)
    if args.sweep:
        sweep(args, settings, report)
    if args.compare:
        compare(args, settings, report)
    write(args, report, lambda path, format: plots.plot_spectrum(run.model, *run.test, path, format))
    return 0


def sweep(args, settings, report: dict) -> None:
    """--sweep: error vs m on generated signals, and the smallest m within --threshold."""
    from ..signals import spectrum
    rows = spectrum.error_vs_m(args.length, args.sweep, settings)
    report["sweep"] = rows
    met = [r["m"] for r in rows if r["relative_error"] <= args.threshold]
    best = report["smallest_m"] = {"threshold": args.threshold, "measured": min(met, default=None),
                                   "predicted": spectrum.predicted_m(args.threshold)}
    console.print(table(f"error vs m (length {args.length}; threshold {args.threshold:g}: smallest measured m "
                        f"{best['measured']}, B(m) predicts {best['predicted']})",
                        ["m", "params", "relative error", "B(m)", "error / B(m)", "m_eff", "time s"],
                        [[r[k] for k in ("m", "params", "relative_error", "bound", "ratio", "m_eff", "time_s")]
                         for r in rows]))


def compare(args, settings, report: dict) -> None:
    """--compare: the structured model vs a plain MLP of the same size, over seeds."""
    from ..signals import spectrum
    result = report["comparison"] = spectrum.compare_plain(args.length, args.compare, args.threshold, settings)
    rows = [[name + (f" (L -> {r['width']} -> K)" if "width" in r else ""), r["params"],
             f"{r['success_rate']:.0%}", r["median_error"], r["worst_error"]]
            for name, r in (("structured", result["structured"]), ("plain MLP", result["plain"]))]
    console.print(table(f"structured vs plain MLP over {args.compare} seeds (success: error <= {args.threshold:g})",
                        ["model", "params", "success rate", "median error", "worst error"], rows))


def show(report: dict, rows: list) -> None:
    console.print(table(f"surefit signal {report['kind']}  ({report['signals']} signal pairs of length "
                        f"{report['length']})", ["", ""], rows))


def write(args, report: dict, plot) -> None:
    """--json and --plot, both written whole or neither."""
    from ..plots import image_format
    outputs = planned_outputs(args, ("json", "plot"))
    write_outputs(outputs, {"json": lambda tmp: tmp.write_text(json_text(report)),
                            "plot": lambda tmp: plot(tmp, image_format(outputs["plot"]))})

