"""The bench commands beyond the two tables; each lives in its own module and registers here."""
from __future__ import annotations


def register(sub, add_grid_arguments) -> None:
    from bench.args import EVIDENCE_SEEDS
    from landslide.options import add_config_arguments

    s = sub.add_parser("smote", help="Fig. 4: anchors, SSIM neighbours, SMOTE samples and class counts")
    add_config_arguments(s)
    s.add_argument("--out", default=".", help="output folder (figures/smote.png and .pdf)")
    s.add_argument("--rows", type=int, default=4, help="anchors shown (default 4)")
    s.add_argument("--sar-band", default="desc_diff_vv", help="SAR band shown beside the RGB composite")
    s.add_argument("--no-progress", action="store_true")
    s.set_defaults(fn=_lazy("bench.figures.smote", "smote_command"))

    w = sub.add_parser("sweep", help="Optuna TPE search over the grids' configuration space (MedianPruner per fold)")
    add_grid_arguments(w)
    w.add_argument("--trials", type=int, default=20, help="total trials in the study (default 20); re-running "
                                                          "adds only the missing ones")
    w.add_argument("--study", default="sweep", help="study name in the storage (default sweep)")
    w.set_defaults(fn=_lazy("bench.grid.sweep", "sweep_command"))

    b = sub.add_parser("backbones", help="Fig. 5: F1 against parameter count for the compared backbones")
    add_grid_arguments(b)
    b.add_argument("--grid", default="backbones", help="grid name or TOML path (default backbones)")
    b.set_defaults(fn=_lazy("bench.figures.backbones", "backbones_command"))

    k = sub.add_parser("tricks", help="what TTA, an OOF threshold, ensembles and a tabular baseline add to the "
                                      "paper's recipe (reuses Table 2's SMOTE-row networks)")
    add_grid_arguments(k, seeds=EVIDENCE_SEEDS)
    k.add_argument("--tta", type=int, default=8, choices=[1, 4, 8], help="dihedral transforms averaged (default 8)")
    k.set_defaults(fn=_lazy("bench.grid.tricks", "tricks_command"))

    h = sub.add_parser("thresholds", help="a grid's rows at 0.5 and at a cross-fitted out-of-fold threshold "
                                          "(no retraining)")
    add_grid_arguments(h, seeds=EVIDENCE_SEEDS)
    h.add_argument("--grid", default="table2", help="grid name or TOML path (default table2)")
    h.set_defaults(fn=_lazy("bench.grid.thresholds", "thresholds_command"))

    u = sub.add_parser("umap", help="Fig. 6: UMAP of embeddings, baseline against the best model, 2-D SVM regions")
    add_grid_arguments(u)
    u.add_argument("--best-row", default="smote", help="Table 2 row for panel (b) (default smote, the paper's best)")
    u.set_defaults(fn=_lazy("bench.figures.explain", "umap_command"))

    o = sub.add_parser("occlusion", help="Fig. 7: band importance by occlusion and by permutation")
    add_grid_arguments(o)
    o.add_argument("--row", default="baseline", help="Table 2 row whose fold models are explained (default baseline)")
    o.add_argument("--zero", default="normalised", choices=["normalised", "raw"],
                   help="zero the channel after normalisation (its training mean; default) or its raw value "
                        "(the paper's literal reading)")
    o.set_defaults(fn=_lazy("bench.figures.explain", "occlusion_command"))

    p = sub.add_parser("speed", help="throughput, pipeline overhead, SSIM neighbours, head fits, peak memory")
    add_config_arguments(p)
    p.add_argument("--out", default=".", help="output folder (tables/speed.csv and .md)")
    p.add_argument("--steps", type=int, default=20, help="timed training steps per measurement (default 20)")
    p.add_argument("--ssim-n", type=int, default=1255, help="patches in the timed all-pairs SSIM neighbour search "
                                                            "(default 1255, the real data's landslides; about a "
                                                            "minute on 2 cores)")
    p.add_argument("--sk-pairs", type=int, default=200, help="pairs timed through skimage (default 200)")
    p.set_defaults(fn=_lazy("bench.perf.speed", "speed_command"))

    g = sub.add_parser("gpu-check", help="the prepared accelerator check: EfficientNetV2-L 256 px bf16 "
                                         "train/eval img/s, FLOPs per image, achieved TFLOP/s")
    g.add_argument("--device", default="auto")
    g.add_argument("--iters", type=int, default=300, help="timed training iterations (default 300)")
    g.add_argument("--warmup", type=int, default=20)
    g.add_argument("--compile", action="store_true", help="the captured step (--set compile=true in training: "
                                                          "forward, backward and optimiser compiled once; CUDA graphs)")
    g.add_argument("--ssim-n", type=int, default=1255, help="patches in the timed SSIM neighbour search (default 1255)")
    g.add_argument("--tiny", action="store_true", help="a tiny model on any device: checks the path, not the speed")
    g.set_defaults(fn=_lazy("bench.perf.gpu_check", "gpu_check_command"))

    d = sub.add_parser("gpu-diagnose", help="one variant of the bare training step (eager, contiguous, big batch, "
                                            "compile, profiler table): is the step GPU- or host-bound?")
    d.add_argument("--variant", required=True, choices=["eager", "contiguous", "big-batch", "compile", "profile"],
                   help="big-batch: 4x --batch; profile: a kernel table against the steps' wall time")
    d.add_argument("--model", default="tf_efficientnetv2_l", help="timm model (default the paper's)")
    d.add_argument("--batch", type=int, default=36, help="batch size (default 36, the paper's)")
    d.add_argument("--size", type=int, default=256, help="input pixels (default 256, the paper profile's)")
    d.add_argument("--iters", type=int, default=20, help="timed steps (default 20)")
    d.add_argument("--device", default="cuda", help="cuda (default); cpu only checks the command with a tiny model")
    d.set_defaults(fn=_lazy("bench.perf.gpu_diagnose", "diagnose_command"))


def _lazy(module: str, name: str):
    def run(args):
        import importlib
        return getattr(importlib.import_module(module), name)(args)
    return run
