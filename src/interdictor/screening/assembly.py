"""The screening assembly: what a screen uses, decided in one place for every entry point.

The CLI, the service, the stream worker and batch jobs all call :func:`assemble`,
so the same database and settings screen a file the same way whichever door it
came in by.  For each input the order of precedence is the same:

1. an explicit option (the CLI's ``--ruleset``, a ``Settings`` argument),
2. an environment setting (``INTERDICTOR_RULESET``, ``INTERDICTOR_CORRIDORS_FILE``, ``INTERDICTOR_MODEL``, ...),
3. the store's active version (a rule set or model an administrator activated, corridor overrides),
4. the shipped default.

Options and environment settings both arrive in :class:`~interdictor.settings.Settings`
(an option is written over the environment's value before it gets here), so this
module sees two tiers: what the settings name, else what the store holds, else what
ships.  The result is read-only and handed to the pure detectors as their context;
its :attr:`Screening.versions` are recorded with every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import Connection

from interdictor.intake.mapping import PROFILE_NAME, Profile, shipped_profiles
from interdictor.learn.loop import Scorer
from interdictor.reference.corridors import CorridorConfig, load_corridors
from interdictor.score.calibration import Calibration
from interdictor.score.rules import RuleSet, load_ruleset
from interdictor.screen.context import Context
from interdictor.screen.registry import available
from interdictor.screening.loaders import calibration, load_context, stored_goods_profiles
from interdictor.settings import Settings
from interdictor.store import config as stored
from interdictor.store import learned as stored_learned
from interdictor.store import models as stored_models
from interdictor.store import network, repo
from interdictor.store.db import Store
from interdictor.store.profiles import stored_profile


class AssemblyError(ValueError):
    """A setting names something that does not exist; the message says what exists."""


@dataclass(frozen=True)
class Screening:
    """Everything one screening pass reads besides the batch: loaded once, swapped whole after a change."""

    ctx: Context
    ruleset: RuleSet
    corridors: CorridorConfig
    detectors: list[str] | None = None  # run only these (default: all)
    history: str = "none"  # the stored history the context was built from (store.repo.history_mark)
    # exam thresholds learned from the store's traffic (the learned set's version), over the corridors'
    calibration: Calibration = field(default_factory=Calibration)
    learned: int | None = None  # the learned set (profiles and thresholds) it was built from; None: none yet

    @property
    def versions(self) -> dict[str, str]:
        """The version of every input, recorded with each run and so with each assessment."""
        return {"model": "none", **self.ctx.versions, "ruleset": self.ruleset.label,
                "corridors": str(self.corridors.version), "thresholds": self.calibration.version,
                "history": self.history}


def detector_names(settings: Settings) -> list[str] | None:
    """The detectors to run (None: all); an unknown name is an error, never a detector silently off."""
    names = settings.detector_names()
    if names is None:
        return None
    unknown = [n for n in names if n not in available()]
    if unknown:
        raise AssemblyError(f"INTERDICTOR_DETECTORS names unknown detector(s) {', '.join(unknown)}; "
                            f"available: {', '.join(available())}")
    return names


def choose_ruleset(conn: Connection | None, settings: Settings) -> RuleSet:
    """The rule set the settings name (stored or shipped), else the store's active one, else the shipped default."""
    if settings.ruleset is not None:
        return stored.named_ruleset(conn, settings.ruleset, settings.ruleset_version)
    active = stored.active_ruleset(conn) if conn is not None else None
    return active if active is not None else load_ruleset()


def choose_corridors(conn: Connection | None, settings: Settings) -> CorridorConfig:
    """The corridors file the settings name, else the shipped file with the store's overrides."""
    if settings.corridors_file is not None:
        return load_corridors(settings.corridors_file)
    return stored.with_overrides(load_corridors(), stored.corridor_overrides(conn))


def choose_model(conn: Connection | None, settings: Settings) -> Scorer | None:
    """The model version the settings name, else the store's active one, else none (rules alone); with the
    stored history its features are counted from. A model that cannot be used is an error, never a
    silent fall back to rules alone."""
    name = settings.model
    if name is not None and name.strip().lower() in ("off", "none"):
        return None
    if name is not None and not name.strip().removeprefix("v").isdigit():
        raise AssemblyError(f"INTERDICTOR_MODEL {name!r} is not a model version: give a number such as 3 "
                            "(`interdictor models` lists them) or 'off' for rules alone")
    if conn is None:
        if name is not None:
            raise AssemblyError(f"INTERDICTOR_MODEL names model version {name} but there is no store to read it from")
        return None
    model = (stored_models.get_model(conn, int(name.strip().removeprefix("v"))) if name is not None
             else stored_models.active_model(conn))
    if model is None:
        return None
    return Scorer(model, stored_models.history(conn)).ready()


def named_profile(store: Store | None, name: str) -> Profile | None:
    """The column profile called ``name``: shipped, else stored (None when neither, or not a plain name).
    Only a plain name is looked up, so a path never reaches the file system from here."""
    if not PROFILE_NAME.fullmatch(name):
        return None
    found = shipped_profiles().get(name)
    if found is None and store is not None:
        with store.connect() as conn:
            found = stored_profile(conn, name)
    return found


def assemble(settings: Settings, store: Store | None = None) -> Screening:
    """The screening state for ``settings``, reading the store's active versions when there is a store.
    A configuration that cannot be used (a rule set, corridors, knowledge base or programme file with an
    error) is an ``AssemblyError`` carrying that file's message, whatever the entry point."""
    try:
        return _assemble(settings, store)
    except AssemblyError:
        raise
    except ValueError as exc:  # every configuration error of the parts is a ValueError naming its file
        raise AssemblyError(str(exc)) from exc


def _assemble(settings: Settings, store: Store | None) -> Screening:
    names = detector_names(settings)
    parts = None if names is None else sorted({*names, "route"})  # geography also places corridors
    if store is None:
        choose_model(None, settings)  # a model named without a store is an error
        return Screening(load_context(settings, None, parts), choose_ruleset(None, settings),
                         choose_corridors(None, settings), names)
    network.before_marks(store)  # the seizure marks the context reads follow the network
    with store.connect() as conn:
        history = repo.history_mark(conn)  # read first: the context holds no history stored after it
        learned = stored_learned.latest_version(conn)  # first too: a set learned meanwhile is picked up later
        ctx = load_context(settings, conn, parts)
        scorer = choose_model(conn, settings)
        if scorer is not None:
            ctx = ctx.with_part("model", scorer, scorer.version)
        return Screening(ctx, choose_ruleset(conn, settings), choose_corridors(conn, settings), names, history,
                         calibration(conn, ctx), learned)


def reassemble_registry(screening: Screening, store: Store) -> Screening:
    """The same context with the goods part's licence registry read again (cheap: after a pre-notification is
    filed or withdrawn); a screening without the goods part is returned as it is."""
    from dataclasses import replace as with_

    from interdictor.store.goods import registry

    goods = screening.ctx.part("goods")
    if goods is None:
        return screening
    with store.connect() as conn:
        fresh = registry(conn)
    ctx = screening.ctx.with_part("goods", with_(goods, registry=fresh), screening.ctx.versions.get("goods"))
    return replace(screening, ctx=ctx)


def reassemble_rules(screening: Screening, store: Store, settings: Settings) -> Screening:
    """The same context with the rule set and corridors read again (cheap: after an administrator's change)."""
    with store.connect() as conn:
        return replace(screening, ruleset=choose_ruleset(conn, settings), corridors=choose_corridors(conn, settings))


def model_mark(screening: Screening) -> str:
    """The model version a screening state scores with (``"none"``: rules alone)."""
    return screening.ctx.versions.get("model", "none") if screening.ctx.part("model") is not None else "none"


def refresh_model(screening: Screening, store: Store, settings: Settings) -> Screening:
    """The screening state with the store's active model, when an administrator activated or deactivated
    one since it was built (``interdictor models activate``, ``learn``, the API); else ``screening``
    itself. One small query when nothing changed, so the service and the stream worker ask before every
    batch and never need a restart. A model the settings name (``INTERDICTOR_MODEL``) stays fixed."""
    if settings.model is not None:
        return screening
    with store.connect() as conn:
        version = stored_models.active_version(conn)
        if (str(version) if version is not None else "none") == model_mark(screening):
            return screening
        scorer = choose_model(conn, settings)
    if scorer is None:
        return replace(screening, ctx=screening.ctx.with_part("model", None, "none"))
    return replace(screening, ctx=screening.ctx.with_part("model", scorer, scorer.version))


def refresh_learned(screening: Screening, store: Store) -> Screening:
    """The screening state with the store's newest learned set — goods profiles and calibrated exam
    thresholds — when one was learned since it was built (``interdictor profiles learn``, or ``serve`` and
    ``worker`` refreshing it in the background); else ``screening`` itself.  One small query when nothing
    changed, asked before every batch as ``refresh_model`` is."""
    with store.connect() as conn:
        latest = stored_learned.latest_version(conn)
        if latest is None or latest == screening.learned:
            return screening
        ctx = screening.ctx
        goods = ctx.part("goods")
        if goods is not None:
            profiles = stored_goods_profiles(conn, latest)
            if profiles is not None:
                ctx = ctx.with_part("goods", replace(goods, profiles=profiles), ctx.versions.get("goods"))
                ctx = ctx.with_versions({"profiles": profiles.version})
        return replace(screening, ctx=ctx, calibration=calibration(conn, ctx), learned=latest)


def refresh(screening: Screening, store: Store, settings: Settings) -> Screening:
    """Before a batch: the newly activated model and the newly learned set, each when there is one."""
    return refresh_learned(refresh_model(screening, store, settings), store)
