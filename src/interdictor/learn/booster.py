"""The LightGBM ranking model ``evaluate`` trains: fixed parameters, fixed seed, deterministic."""

from __future__ import annotations

import numpy as np

from interdictor.learn.features import Matrix

ROUNDS = 200
SEED = 7
# Fixed, so every machine trains the same model (sums split across threads can move the last digits);
# one thread also avoids OpenMP's spinning, which made training tenfold slower on a busy machine.
THREADS = 1


def params(*, seed: int = SEED, threads: int = THREADS) -> dict[str, object]:
    """The same data, seed and thread count give the same model, run after run."""
    return {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 20,
        "min_data_per_group": 20,  # rows a category needs before it splits on its own
        "cat_smooth": 10.0,
        "feature_fraction": 0.9,
        "seed": seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": threads,
        "verbosity": -1,
    }


def fit_predict(matrix: Matrix, labels: np.ndarray, *, seed: int = SEED, threads: int = THREADS,
                rounds: int = ROUNDS) -> np.ndarray:
    """Train on ``matrix.train`` with ``labels``; the test rows' predicted probabilities."""
    import lightgbm as lgb

    data = lgb.Dataset(matrix.train, label=labels, feature_name=[_safe(n) for n in matrix.names],
                       categorical_feature=list(matrix.categorical), free_raw_data=True,
                       params={"verbosity": -1, "max_bin": 255})
    booster = lgb.train(params(seed=seed, threads=threads), data, num_boost_round=rounds)
    return np.asarray(booster.predict(matrix.test), dtype=np.float64)


def _safe(name: str) -> str:
    """LightGBM refuses some characters in feature names (JSON's own)."""
    return "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in name) or "_"
