"""A team's own settings in force: its name, numbers, sending window and sender, each
falling back to the installation's when the team has none.

Why a separate, pure module: the send paths, the webhooks and the start-up checks all
need "what does team B's text say and where does it come from", and they must agree.
The team's row is read once into TeamSettings (plain values any thread may read); the
runtime builds a team's context from it (service/runtime.py, Runtime.for_team).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.domain.calendar.window import SendingWindow, parse_window
from service.domain.texts.rendering import Sender
from service.store.models import Team

# A Twilio messaging service's id: texts then go through the service's number pool.
MESSAGING_SERVICE = re.compile(r"MG[0-9a-fA-F]{32}")
WINDOW_FIELDS = ("window", "saturday_window", "sunday_window")


@dataclass(frozen=True)
class TeamSettings:
    """What a team's row says, as plain values ("" where the team has nothing of its own)."""

    id: int
    name: str
    name_sv: str = ""
    name_en: str = ""
    phone: str = ""
    booking_number: str = ""
    window: str = ""
    saturday_window: str = ""
    sunday_window: str = ""
    sender: str = ""  # E.164 number or a messaging service id (MG...)
    files_dir: str = ""
    from_config: bool = False

    @classmethod
    def of(cls, team: Team) -> TeamSettings:
        return cls(id=team.id, name=team.name, name_sv=team.name_sv or "",
                   name_en=team.name_en or "", phone=team.phone or "",
                   booking_number=team.booking_number or "", window=team.window or "",
                   saturday_window=team.saturday_window or "",
                   sunday_window=team.sunday_window or "", sender=team.sender or "",
                   files_dir=team.files_dir or "", from_config=team.from_config)


def is_messaging_service(sender: str) -> bool:
    return MESSAGING_SERVICE.fullmatch(sender) is not None


def team_sender(team: TeamSettings, installation: Sender) -> Sender:
    """Who the team's texts and calls say they come from. The installation's own team
    follows `[team]` (the installation's Sender as it is); another team says its own
    name (per language) and number, and the installation's booking number when it has
    none of its own (Kela's taxi number is the region's)."""
    if team.from_config:
        return installation
    names = tuple((lang, name) for lang, name in (("sv", team.name_sv), ("en", team.name_en))
                  if name)
    return Sender(team=team.name, team_phone=team.phone or installation.team_phone,
                  booking_number=team.booking_number or installation.booking_number,
                  tz=installation.tz, team_names=names)


def team_window(team: TeamSettings, installation: SendingWindow) -> SendingWindow:
    """The team's sending window; each kind of day it leaves empty is the installation's.
    The values were checked when saved (check_windows); a bad one raises ValueError."""
    if not (team.window or team.saturday_window or team.sunday_window):
        return installation
    return SendingWindow(
        weekday=parse_window(team.window) if team.window else installation.weekday,
        saturday=parse_window(team.saturday_window) if team.saturday_window
        else installation.saturday,
        sunday=parse_window(team.sunday_window) if team.sunday_window else installation.sunday,
        tz=installation.tz, holidays_country=installation.holidays_country)


def team_from_number(team: TeamSettings, installation: str) -> str:
    """What the team's messages go out from (the message row's from_number): its own
    number or messaging service, else the installation's number."""
    return team.sender or installation


def is_plain(team: TeamSettings) -> bool:
    """The installation's own team with nothing of its own: its settings are the
    installation's, whatever they are at the moment."""
    return team.from_config and not (team.window or team.saturday_window or team.sunday_window
                                     or team.sender or team.files_dir)
