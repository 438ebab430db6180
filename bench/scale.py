"""Issue 13's measurements: oscillation, rows, and a 2-D target against its peers, one fit per
process (its own peak memory), interleaved with the peer in the same run, one thread each.

    python bench/scale.py sinc [--seeds 10]             sinc(10x), 20 tanh, 20,000 points: surefit
                                                        and torch-LM's README example (batch 1000,
                                                        2000 steps, float32)
    python bench/scale.py rows [--sizes 1e3,1e4,1e5,1e6] [--peer-max 1e5]
                                                        sin(2x) on [-3, 3], random points, 20 tanh:
                                                        surefit and MLPRegressor(20, tanh, lbfgs)
                                                        with StandardScaler on X and y
    python bench/scale.py expsin [--seeds 5]            exp(sin(pi x) + y^2), 17,17 tanh (375
                                                        parameters, pykan's count), 1000 random
                                                        points, scored on 1000 more (pykan's
                                                        create_dataset), and on the dense grid

Errors are relative RMSE (RMSE / std of the target): on surefit's held-out grid of the
domain, or the 1000 test points. Times are the fit alone; memory is the process's peak
resident size (including Python, torch and the data) and, beside it, its size after
imports, before the data.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

WORKER = r'''
import json, resource, sys, time
spec = json.loads(sys.argv[1])
import numpy as np, torch
from threadpoolctl import threadpool_limits
torch.set_num_threads(1)
threadpool_limits(1)
import surefit
from surefit.problem import from_function
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kind, seed = spec["kind"], spec["seed"]

def relative(pred, exact):
    return float(np.sqrt(np.mean((pred - exact) ** 2)) / exact.std())

if spec["case"] == "sinc":
    problem = from_function(lambda x: np.sinc(10 * x), "-1:1", points=20000, sampling="grid", variables=["x"])
    settings = dict(hidden=20, activation="tanh")
elif spec["case"] == "rows":
    problem = from_function("sin(2*x)", "-3:3", points=spec["N"], sampling="random", seed=0)
    settings = dict(hidden=20, activation="tanh")
else:
    f = lambda x, y: np.exp(np.sin(np.pi * x) + y ** 2)
    problem = from_function(f, ["x=-1:1", "y=-1:1"], points=1000, sampling="random", seed=seed)
    settings = dict(hidden=(17, 17), activation="tanh")
    test = np.random.default_rng([seed, 7]).uniform(-1, 1, (1000, 2))
start = time.perf_counter()
if kind == "surefit":
    result = surefit.fit_problem(problem, surefit.FitSettings(seed=seed, **settings), progress=spec.get("bar", False))
    predict, params = result.predict, result.n_params
elif kind == "torch-lm":
    import contextlib, io
    import torch_levenberg_marquardt as tlm
    from torch.utils.data import TensorDataset
    from surefit.scaling import input_scaler, target_scaler
    xs, ys = input_scaler(problem.X, problem.domain), target_scaler(problem.y)
    X = torch.as_tensor(xs.forward(problem.X), dtype=torch.float32)
    y = torch.as_tensor(ys.forward(problem.y[:, None]), dtype=torch.float32)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(1, 20), torch.nn.Tanh(), torch.nn.Linear(20, 1))
    module = tlm.training.LevenbergMarquardtModule(model=model, loss_fn=tlm.loss.MSELoss(), learning_rate=1.0,
                                                   attempts_per_step=10, solve_method="qr")
    loader = tlm.utils.FastDataLoader(TensorDataset(X, y), batch_size=1000, repeat=10, shuffle=True)
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        tlm.utils.fit(module, loader, epochs=10)
    def predict(Z):
        with torch.no_grad():
            out = model(torch.as_tensor(xs.forward(Z), dtype=torch.float32)).double().numpy()
        return ys.inverse(out)[:, 0]
    params = 61
else:  # sklearn
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.compose import TransformedTargetRegressor
    model = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), MLPRegressor((20,), activation="tanh", solver="lbfgs", random_state=seed)),
        transformer=StandardScaler())
    model.fit(problem.X, problem.y)
    predict, params = model.predict, 61
elapsed = time.perf_counter() - start
out = dict(time=elapsed, grid=relative(predict(problem.X_eval), problem.y_eval), params=params,
           peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, base_mb=base)
if spec["case"] == "expsin":
    out["test"] = relative(predict(test), f(*test.T))
print(json.dumps(out))
'''


def measure(case: str, kind: str, seed: int, **extra) -> dict:
    spec = json.dumps(dict(case=case, kind=kind, seed=seed, **extra))
    done = subprocess.run([sys.executable, "-c", WORKER, spec], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{case} {kind} seed {seed} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sinc(seeds: int) -> None:
    rows = {"surefit": [], "torch-lm": []}
    for seed in range(seeds):
        for kind in rows:  # interleaved: the same load on both
            rows[kind].append(measure("sinc", kind, seed))
            print(kind, seed, rows[kind][-1], flush=True)
    print("\n| contestant | seeds <= 1e-3 | median rel. RMSE | worst | median time | peak memory |\n|---|---|---|---|---|---|")
    for kind, runs in rows.items():
        errors = [r["grid"] for r in runs]
        print(f"| {kind} | {sum(e <= 1e-3 for e in errors)}/{len(runs)} | {statistics.median(errors):.2g} | "
              f"{max(errors):.2g} | {statistics.median(r['time'] for r in runs):.2f} s | "
              f"{max(r['peak_mb'] for r in runs):.0f} MB |")


def scaling(sizes: list[int], peer_max: int) -> None:
    print("| N | surefit time | peak memory (after imports) | rel. RMSE | sklearn time | sklearn rel. RMSE |\n"
          "|---|---|---|---|---|---|", flush=True)
    for N in sizes:
        ours = measure("rows", "surefit", 0, N=N)
        peer = measure("rows", "sklearn", 0, N=N) if N <= peer_max else None
        print(f"| {N:,} | {ours['time']:.2f} s | {ours['peak_mb']:.0f} MB ({ours['base_mb']:.0f}) | {ours['grid']:.2g} | "
              + (f"{peer['time']:.2f} s | {peer['grid']:.2g} |" if peer else "not run | |"), flush=True)


def expsin(seeds: int) -> None:
    print("| seed | parameters | test rel. RMSE (1000 points) | grid rel. RMSE | time |\n|---|---|---|---|---|")
    for seed in range(seeds):
        r = measure("expsin", "surefit", seed)
        print(f"| {seed} | {r['params']} | {r['test']:.2g} | {r['grid']:.2g} | {r['time']:.1f} s |", flush=True)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("case", choices=("sinc", "rows", "expsin"))
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--sizes", default="1e3,1e4,1e5,1e6")
    p.add_argument("--peer-max", type=float, default=1e5, help="largest N the peer runs on")
    args = p.parse_args(argv)
    if args.case == "sinc":
        sinc(args.seeds)
    elif args.case == "rows":
        scaling([int(float(n)) for n in args.sizes.split(",")], int(args.peer_max))
    else:
        expsin(args.seeds)


if __name__ == "__main__":
    main()
