"""Reading pain: the pain-monitoring model (PAIN-3), the soreness rules (PAIN-5), the bone
override (PAIN-4) and bone-pain step-backs (RTR-5).

A session is judged the morning after, when the next-morning pain is known: soreness that has
not settled by then is part of the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from restride.domain.anatomy import SITES
from restride.domain.case import PAIN_FIELDS, CheckIn, Injury, Session
from restride.domain.protocol import LOADING_KINDS, FlareSettings, PainSettings


class Outcome(IntEnum):
    """What a loading session's pain means, ordered from harmless to most serious."""

    UNKNOWN = 0  # no check-in the next morning: it cannot count as pain-free
    CLEAN = 1
    AMBER_SETTLED = 2  # PAIN-3 amber that settled by the next morning: counts, with a note
    REPEAT_WARMUP_SETTLED = 3  # PAIN-5: soreness in warm-up that went away: repeat
    REPEAT_AFTER = 4  # PAIN-5: soreness after or the next day: 1 day off, repeat
    REGRESS_PERSISTED = 5  # PAIN-5 / PAIN-3 red: 2 days off, drop a level
    FLARE_BONE = 6  # PAIN-4 / RTR-5: any bone pain: back one stage, rest
    FLARE_BONE_SEVERE = 7  # PAIN-7: no impact for days, two stages back, see a doctor

    @property
    def counts(self) -> bool:
        return self in (Outcome.CLEAN, Outcome.AMBER_SETTLED)

    @property
    def steps_back(self) -> bool:
        return self in (Outcome.REGRESS_PERSISTED, Outcome.FLARE_BONE, Outcome.FLARE_BONE_SEVERE)


@dataclass(frozen=True)
class SessionVerdict:
    session: Session
    outcome: Outcome
    detail: str


def is_bone_injury(injury: Injury, *, tenderness_seen: bool) -> bool:
    """Whether PAIN-4's zero ceiling applies: a bone injury, or one suspected to be.

    The site decides the tissue (RF-8): a bone site keeps the bone rules whatever `kind` says.
    """
    if injury.kind == "bone" or tenderness_seen or SITES[injury.site].bone:
        return True
    return any(i.result in ("positive", "healing") for i in injury.imaging)


def kind_disagrees_with_site(injury: Injury) -> bool:
    """A bone site recorded as another tissue: the bone rules apply, and the runner is told."""
    return SITES[injury.site].bone and injury.kind not in ("bone", "unknown")


def ceiling(settings: PainSettings, *, bone: bool) -> int:
    """The most pain that still counts as acceptable: 0 at a bone site, else the green band."""
    return settings.bone_ceiling if bone else settings.green_max


def worst_pain(checkin: CheckIn) -> int | None:
    values = [getattr(checkin, f) for f in PAIN_FIELDS]
    known = [v for v in values if v is not None]
    return max(known) if known else None


def rising_fields(
    settings: PainSettings, today: CheckIn, earlier: list[CheckIn]
) -> list[tuple[str, int, int]]:
    """Pain fields that rose by a meaningful change (PAIN-2) over their recent low.

    Returns (field, low, now) for each. Smaller changes are noise and ignored.
    """
    rising: list[tuple[str, int, int]] = []
    for field in PAIN_FIELDS:
        now = getattr(today, field)
        if now is None or now < settings.meaningful_change:
            continue
        lows = [getattr(c, field) for c in earlier if getattr(c, field) is not None]
        if lows and now - min(lows) >= settings.meaningful_change:
            rising.append((field, min(lows), now))
    return rising


def judge_session(
    settings: PainSettings,
    flare: FlareSettings,
    session: Session,
    *,
    bone: bool,
    same_day: CheckIn | None,
    next_morning: CheckIn | None,
) -> SessionVerdict:
    """Apply PAIN-3..PAIN-5, PAIN-7 and RTR-5 to one loading session, the morning after it."""
    during = session.pain_during or 0
    after = session.pain_after or 0
    what = _describe(session)
    if bone and max(during, after) >= flare.severe_pain:
        # Severe whatever the next morning says: no need to wait for it.
        return SessionVerdict(
            session,
            Outcome.FLARE_BONE_SEVERE,
            f"{what} hurt at the bone: {during}/10 during, {after}/10 after",
        )
    if next_morning is None or next_morning.pain_next_morning is None:
        if bone and max(during, after) > settings.bone_ceiling:
            return SessionVerdict(
                session,
                Outcome.FLARE_BONE,
                f"{what} hurt at the bone ({during}/10 during, {after}/10 after)",
            )
        return SessionVerdict(session, Outcome.UNKNOWN, "no next-morning pain was recorded")
    morning = next_morning.pain_next_morning
    baseline = 0
    if same_day is not None and same_day.pain_next_morning is not None:
        baseline = same_day.pain_next_morning
    if bone:
        walking = next_morning.pain_walking or 0
        hurt_then = max(during, after) > settings.bone_ceiling
        # PAIN-7: pain from the session that lasts into the next day's walking (more than the
        # walking pain the runner already had that day), or a hard morning, is a severe flare.
        before = (same_day.pain_walking or 0) if same_day is not None else 0
        lasted = hurt_then and walking > max(settings.bone_ceiling, before)
        if morning >= flare.severe_next_morning or lasted:
            return SessionVerdict(
                session,
                Outcome.FLARE_BONE_SEVERE,
                f"after {what} ({during}/10 during, {after}/10 after) the pain lasted into the "
                f"next day ({morning}/10 on waking, {walking}/10 walking)",
            )
        if hurt_then:
            return SessionVerdict(
                session,
                Outcome.FLARE_BONE,
                f"{what} hurt at the bone ({during}/10 during, {after}/10 after)",
            )
        if morning > settings.bone_ceiling:
            return SessionVerdict(
                session, Outcome.FLARE_BONE, f"the morning after {what} the pain was {morning}/10"
            )
        return SessionVerdict(session, Outcome.CLEAN, f"{what} was pain-free")
    if session.warmup_soreness == "persisted" or during > settings.amber_max:
        return SessionVerdict(
            session,
            Outcome.REGRESS_PERSISTED,
            f"{what}: soreness that stayed through the session ({during}/10)",
        )
    if after > settings.green_max or morning > baseline:
        return SessionVerdict(
            session,
            Outcome.REPEAT_AFTER,
            f"{what}: soreness afterwards ({after}/10) "
            f"or next morning ({morning}/10, from {baseline})",
        )
    if session.warmup_soreness == "settled":
        return SessionVerdict(
            session,
            Outcome.REPEAT_WARMUP_SETTLED,
            f"{what}: soreness in the warm-up that went away",
        )
    if during > settings.green_max:
        return SessionVerdict(
            session, Outcome.AMBER_SETTLED, f"{what}: {during}/10 during, settled by the morning"
        )
    return SessionVerdict(session, Outcome.CLEAN, f"{what} went well")


def checkin_flare(
    settings: PainSettings, flare: FlareSettings, checkin: CheckIn, *, bone: bool
) -> Outcome:
    """Activity pain reported in the daily check-in itself, without a logged session."""
    activity = max(checkin.pain_activity or 0, checkin.pain_after or 0)
    if bone and activity >= flare.severe_pain:
        return Outcome.FLARE_BONE_SEVERE
    if bone and activity > settings.bone_ceiling:
        return Outcome.FLARE_BONE
    if not bone and activity > settings.amber_max:
        return Outcome.REGRESS_PERSISTED
    return Outcome.CLEAN


def is_loading(session: Session) -> bool:
    return session.kind in LOADING_KINDS


def hurt(settings: PainSettings, session: Session, *, bone: bool) -> bool:
    """Whether a session reported pain above what counts as acceptable here."""
    limit = settings.bone_ceiling if bone else settings.amber_max
    return max(session.pain_during or 0, session.pain_after or 0) > limit


def _describe(session: Session) -> str:
    name = session.test or session.kind.replace("_", "-")
    return f"the {name} session on {session.date.isoformat()}"
