"""Where many fits run: in this process (seeds stacked in batches) or as Ray tasks.

Every engine has one method,
    run(problem, configs, seeds) -> one list of Trial per configuration (in seed order),
and both do the same unit of work, `run_seeds`: one configuration and a chunk of
seeds trained together by fit_many. fit_many gives each seed the result it would
get alone, so the engine and the chunking change where and how fast, never what: bitwise,
in a Ray worker as in this process, because every process of a machine computes alike (the
Gram's BLAS is chosen by the processor's vendor, trainers/rows.py; timed in each process, it
made about one Ray worker in ten round otherwise).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

from .errors import SurefitError
from .fitting import fit_many
from .plan import plan
from .problem import Problem
from .progress import Progress
from .result import FitResult
from .settings import FitSettings

MAX_CHUNK = 64  # seeds per batch: past this a step's per-seed cost no longer falls
MEMORY_BYTES = 512 * 2**20  # rough cap on the largest tensors of one batch


@dataclass(frozen=True)
class Trial:
    """What a study keeps of one fit: light enough to send back from a Ray worker."""
    seed: int
    metrics: dict[str, float]  # held-out rmse, max_error, relative_rmse
    status: str  # a Status name, e.g. "CONVERGED"
    time_s: float  # this seed's share of its batch's time
    steps: int
    units_alive: int
    units_total: int
    at_noise_level: bool  # measured data: the held-out error at the estimated noise level (FitResult.at_noise_level)
    theta: np.ndarray = field(compare=False, repr=False)  # (P,) the kept network, scaled units

    @classmethod
    def of(cls, result: FitResult) -> "Trial":
        return cls(seed=result.seed, metrics=dict(result.metrics), status=result.status.name,
                   time_s=result.time_s, steps=len(result.history), units_alive=result.units_alive,
                   units_total=result.units_total, at_noise_level=result.at_noise_level, theta=result.model.theta)


def run_seeds(problem: Problem, settings: FitSettings, seeds: Sequence[int], observers=()) -> list[Trial]:
    """The unit of work on every engine: one configuration, a chunk of seeds, trained stacked."""
    return [Trial.of(r) for r in fit_many(problem, settings, [int(s) for s in seeds], observers=observers)]


class StepNote:
    """An observer that says, on a study's progress bar, which step a batch of fits is at."""

    def __init__(self, bar, label: str):
        self.bar, self.label = bar, label

    def start(self, state) -> None:
        self.bar.note(f"{self.label}: starting")

    def __call__(self, state) -> None:
        done = sum(v is not None for v in state.verdicts)
        self.bar.note(f"{self.label}: step {state.step}, {done}/{len(state.verdicts)} seeds done")


def chunks(problem: Problem, settings: FitSettings, seeds: Sequence[int],
           max_chunk: int = MAX_CHUNK, memory: int = MEMORY_BYTES) -> list[list[int]]:
    """Split seeds into even batches whose planned memory (plan.peak_bytes) stays under `memory` bytes."""
    per_seed = plan(problem, settings).memory
    size = max(1, min(max_chunk, memory // per_seed))
    return [list(c) for c in np.array_split(list(seeds), math.ceil(len(seeds) / size))]


class Engine(Protocol):
    def run(self, problem: Problem, configs: Sequence[FitSettings],
            seeds: Sequence[int]) -> list[list[Trial]]: ...


@dataclass(frozen=True)
class LocalEngine:
    """Fits in this process, each configuration's seeds in batches of stacked tensors."""
    max_chunk: int = MAX_CHUNK
    memory: int = MEMORY_BYTES
    progress: bool = False  # a progress bar over all fits

    def run(self, problem: Problem, configs: Sequence[FitSettings],
            seeds: Sequence[int]) -> list[list[Trial]]:
        out = []
        with Progress(len(configs) * len(seeds), enabled=self.progress, description="fits") as bar:
            for i, settings in enumerate(configs, 1):
                trials = []
                for chunk in chunks(problem, settings, seeds, self.max_chunk, self.memory):
                    trials += run_seeds(problem, settings, chunk, [StepNote(bar, f"configuration {i}/{len(configs)}")])
                    for _ in chunk:
                        bar.advance()
                out.append(trials)
        return out


@dataclass(frozen=True)
class RayEngine:
    """Each (configuration, chunk of seeds) is one Ray task calling run_seeds.

    address None starts (or reuses) a local Ray instance; "auto" or "ray://host:10001"
    joins a cluster, whose workers need surefit installed.
    """
    address: str | None = None
    max_chunk: int = MAX_CHUNK
    memory: int = MEMORY_BYTES
    progress: bool = False

    def run(self, problem: Problem, configs: Sequence[FitSettings],
            seeds: Sequence[int]) -> list[list[Trial]]:
        ray = self._connect()
        task = ray.remote(num_cpus=1)(run_seeds)
        shared = ray.put(problem)  # sent to the object store once, not once per task
        jobs = [(i, len(chunk), task.remote(shared, settings, chunk))
                for i, settings in enumerate(configs)
                for chunk in chunks(problem, settings, seeds, self.max_chunk, self.memory)]
        sizes = {ref: n for _, n, ref in jobs}
        pending = [ref for _, _, ref in jobs]
        with Progress(len(configs) * len(seeds), enabled=self.progress, description="fits (ray)") as bar:
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                for _ in range(sizes[done[0]]):
                    bar.advance()
        out: list[list[Trial]] = [[] for _ in configs]
        for (i, _, ref), trials in zip(jobs, ray.get([ref for _, _, ref in jobs])):
            out[i] += trials  # jobs are in seed order within each configuration
        return out

    def _connect(self):
        try:
            import ray
        except ImportError:
            raise SurefitError("the ray engine needs Ray: pip install 'surefit[ray]'") from None
        if not ray.is_initialized():
            try:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
            except (ConnectionError, ValueError, RuntimeError) as exc:
                raise SurefitError(f"cannot start or join Ray at {self.address or 'a local instance'}: "
                                   f"{str(exc).splitlines()[0]}") from None
        return ray


def make_engine(name: str, address: str | None = None, progress: bool = False) -> Engine:
    """'local' or 'ray', as the CLI names them."""
    if name == "local":
        if address:
            raise SurefitError("--address is for --engine ray")
        return LocalEngine(progress=progress)
    if name == "ray":
        return RayEngine(address=address, progress=progress)
    raise SurefitError(f"unknown engine {name!r}; choose local or ray")
