"""The SIG plan: every field the workbook asks for, defined once with its label, help and limits."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    Strict,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from sigworkbook.plan import catalogues
from sigworkbook.plan.fieldtypes import (
    ActivityTypeKey,
    CalendarDate,
    ChannelKey,
    FollowOnKey,
    Hashtag,
    ItemId,
    LifecycleKey,
    Line,
    Link,
    LocalDateTime,
    Name,
    Prose,
    RoleKey,
    Slug,
    TimeZone,
    ValueKindKey,
    check_line,
    new_id,
    skipped_local_time,
)
from sigworkbook.plan.people import person_key
from sigworkbook.plan.sections import CHARTER_SECTIONS
from sigworkbook.plan.steps import STEPS

SCHEMA_VERSION: Literal[1] = 1


def text(
    label: str,
    help: str = "",
    *,
    max_length: int,
    advised: int | None = None,
    advised_why: str = "advised",
    placeholder: str = "",
) -> Any:
    """A text field: hard `max_length` refuses input; `advised` only raises a gap when exceeded,
    and the page says why: "longer than {advised_why} ({advised})"."""
    extra: dict[str, Any] = {}
    if advised is not None:
        extra["x-advised-max"] = advised
        extra["x-advised-why"] = advised_why
    if placeholder:
        extra["x-placeholder"] = placeholder
    return Field(
        default="", title=label, description=help, max_length=max_length, json_schema_extra=extra
    )


def item_id() -> Any:
    return Field(default_factory=new_id, title="Id", description="Stable id of this row.")


ShortLine = Annotated[Name, StringConstraints(max_length=80)]
"""A person's name in a list (e.g. a vote)."""
KeyPhrase = Annotated[str, StringConstraints(max_length=60), AfterValidator(check_line)]
GroupName = Annotated[str, StringConstraints(max_length=200), AfterValidator(check_line)]
WholeNumber = Annotated[int, Strict()]
"""A number of minutes or times: a JSON number, never the text "60" nor true."""
YesNo = Annotated[bool, Strict()]
"""Ticked or not: true or false, never "yes" or 1."""


class Section(BaseModel):
    """Base of every part of the plan: unknown fields are refused, defaults are validated."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class Row(Section):
    """Base of a table's row (an activity, a measure, ...): its stable id comes first."""

    id: ItemId = item_id()


def table(label: str, help: str = "", *, max_length: int | None = None) -> Any:
    """A table of the plan: a list of rows, empty to begin with, of at most `max_length`."""
    return Field(default_factory=list, title=label, description=help or None, max_length=max_length)


def choice_labels(labels: dict[str, str]) -> dict[str, JsonValue]:
    """A field's schema extra naming what a person reads for each of its fixed choices."""
    words: dict[str, JsonValue] = dict(labels)
    return {"x-choice-labels": words}


Status = Literal["planned", "done", "cancelled"]
STATUS_LABELS: dict[str, str] = {"planned": "Planned", "done": "Done", "cancelled": "Cancelled"}


def status_field() -> Any:
    """A row's status (an activity's, a promotion action's): planned until done or cancelled."""
    return Field(default="planned", title="Status", json_schema_extra=choice_labels(STATUS_LABELS))


# --- Identity -------------------------------------------------------------------------------


class NameIdea(Row):
    name: Name = text("Name idea", max_length=80)
    proposed_by: Name = text("Proposed by", max_length=80)
    votes: list[ShortLine] = Field(
        default_factory=list,
        title="Votes",
        description="Votes given before voting rounds (one per person), kept as they were; "
        "a merge of two ideas carries them over.",
        max_length=200,
    )

    @field_validator("votes")
    @classmethod
    def _one_vote_each(cls, votes: list[str]) -> list[str]:
        seen = {person_key(v) for v in votes}
        if len(seen) != len(votes):
            raise ValueError("each person can vote for a name only once")
        return votes


RoundStatus = Literal["collecting", "open", "revealed", "closed"]
ROUND_STATUS_LABELS: dict[str, str] = {
    "collecting": "Collecting ideas privately",
    "open": "Open: ballots hidden",
    "revealed": "Revealed",
    "closed": "Closed",
}


class Ballot(Section):
    """One person's dots in a voting round, or their abstention."""

    voter: ShortLine = text("Voter", max_length=80)
    dots: dict[ItemId, Annotated[WholeNumber, Field(ge=1, le=10)]] = Field(
        default_factory=dict,
        title="Dots",
        description="How many dots this person put on each idea (by the idea's id).",
    )
    abstained: YesNo = Field(
        default=False, title="Abstained", description="'I won't vote this round' (counts as voted)."
    )

    @model_validator(mode="after")
    def _dots_or_abstention(self) -> Ballot:
        if self.abstained and self.dots:
            raise ValueError("a person who abstains puts no dots")
        return self


class VotingRound(Section):
    """A dot vote on the name ideas: hidden while open, counted when revealed."""

    status: RoundStatus = Field(
        default="open",
        title="Round",
        description="Collecting ideas privately (each person sees only their own), open (each "
        "person sees only their own dots), revealed, or closed.",
        json_schema_extra=choice_labels(ROUND_STATUS_LABELS),
    )
    budget: WholeNumber = Field(
        default=3, ge=1, le=10, title="Dots each", description="How many dots each person has."
    )
    per_idea: WholeNumber = Field(
        default=1,
        ge=1,
        le=10,
        title="Most dots on one idea",
        description="How many of their dots a person may put on one idea.",
    )
    anonymous: YesNo = Field(
        default=False,
        title="Anonymous",
        description="After the reveal show only counts, not who voted for what.",
    )
    shared_screen: YesNo = Field(
        default=False,
        title="Shared screen",
        description="People take turns at one screen and pick their name before each ballot.",
    )
    started_on: CalendarDate | None = Field(
        default=None, title="Started on", description="The day the round was started."
    )
    ballots: list[Ballot] = Field(
        default_factory=list,
        title="Ballots",
        description="Each person's dots or abstention, one ballot each.",
        max_length=200,
    )

    @model_validator(mode="after")
    def _within_budget(self) -> VotingRound:
        seen: set[str] = set()
        for ballot in self.ballots:
            key = person_key(ballot.voter)
            if not key or key in seen:
                raise ValueError("each person has one ballot, under their name")
            seen.add(key)
            if sum(ballot.dots.values()) > self.budget:
                raise ValueError(f"{ballot.voter} has only {self.budget} dot(s)")
            if any(dots > self.per_idea for dots in ballot.dots.values()):
                raise ValueError(f"at most {self.per_idea} dot(s) on one idea")
        return self


class OptionResult(Section):
    """One idea of a decided round, with its dots."""

    name: Name = text("Option", max_length=80)
    dots: WholeNumber = Field(default=0, ge=0, title="Dots", description="Dots it received.")


class NameDecision(Section):
    """How the name was chosen: the round behind it, as it was when the name was chosen."""

    decided_on: CalendarDate | None = Field(
        default=None, title="Decided on", description="The day the name was chosen."
    )
    name: Name = text("Chosen name", max_length=80)
    options: list[OptionResult] = Field(
        default_factory=list, title="Options", description="Every idea and its dots.", max_length=50
    )
    voted: WholeNumber = Field(
        default=0, ge=0, title="Voted", description="How many people put dots."
    )
    abstained: WholeNumber = Field(
        default=0, ge=0, title="Abstained", description="How many people chose not to vote."
    )
    expected: WholeNumber = Field(
        default=0, ge=0, title="Expected", description="How many people were asked to vote."
    )
    voters: list[ShortLine] = Field(
        default_factory=list,
        title="Who took part",
        description="Everyone who voted or abstained (empty for an anonymous round).",
        max_length=200,
    )
    anonymous: YesNo = Field(
        default=False, title="Anonymous", description="The round showed only counts."
    )


class Identity(Section):
    name: Name = text(
        "Name",
        "Short and catchy beats precise: people will see it in a list of many groups.",
        max_length=80,
        advised=40,
        advised_why="the network list shows",
        placeholder="e.g. Frailty Friends",
    )
    name_ideas: list[NameIdea] = table(
        "Name ideas", "Every name anyone proposed, with its votes.", max_length=50
    )
    chosen_idea: ItemId | None = Field(
        default=None,
        title="Chosen idea",
        description="The name idea the group chose (set when someone chooses it).",
    )
    voting_round: VotingRound | None = Field(
        default=None,
        title="Voting round",
        description="The latest dot vote on the name ideas (none before the first).",
    )
    name_decision: NameDecision | None = Field(
        default=None,
        title="Name decision",
        description="How the name was chosen, when it was chosen after a voting round.",
    )
    description: Prose = text(
        "Brief description",
        "What the group is about, what members get, and how to take part.",
        max_length=2000,
        advised=500,
        advised_why="the network's listing shows",
    )
    theme: Line = text(
        "Theme", "The broad area, e.g. mental health or patient safety.", max_length=120
    )
    learning_question: Line = text(
        "Learning question",
        "The one question the group wants to learn its way into.",
        max_length=300,
        placeholder="How might we ...?",
    )
    key_phrases: list[KeyPhrase] = Field(
        default_factory=list,
        title="Key phrases",
        description="Words people would search for; used to find members and speakers.",
        max_length=20,
    )
    image: Line = text(
        "Image",
        "Optional: a web address or file name of an image for the group's listing.",
        max_length=300,
    )
    welcome_message: Prose = text(
        "Welcome message",
        "The note a new member receives when they join.",
        max_length=3000,
        advised=1200,
        advised_why="most people read to the end",
    )

    @model_validator(mode="after")
    def _dots_on_ideas(self) -> Identity:
        """A round still running counts only dots on ideas that are on the list."""
        if self.voting_round is not None and self.voting_round.status != "closed":
            ids = {idea.id for idea in self.name_ideas}
            for ballot in self.voting_round.ballots:
                if set(ballot.dots) - ids:
                    raise ValueError("a dot can go only on a name idea on the list")
        return self


# --- Core group -----------------------------------------------------------------------------


ROW_TITLE_FIELDS: tuple[str, ...] = ("title", "name", "indicator", "risk", "channel")
"""The fields that name a table row, in order of preference (the first one filled in)."""

READ_ONLY_FIELDS: tuple[str, ...] = ("id", "schema_version")
"""Top-level fields no edit may change."""

CONVENER_ROLES: tuple[str, ...] = ("convener", "co_convener")
"""The roles (keys of the roles catalogue) of the people who convene the group."""


class Person(Row):
    name: Name = text("Name", max_length=80)
    organisation: Line = text("Organisation", max_length=120)
    role: RoleKey = Field(
        default_factory=lambda: catalogues.default_key("roles"),
        title="Role",
        description="Their role in the SIG.",
    )
    contact: Line = text("Contact", "An email address or other way to reach them.", max_length=200)
    network_member: YesNo | None = Field(
        default=None,
        title="Network member",
        description="Whether they are a member of the network (blank until someone answers).",
    )


class CoreGroup(Section):
    people: list[Person] = table(
        "Core group", "The people who guide the SIG, with their roles.", max_length=100
    )


# --- Core statement -------------------------------------------------------------------------

Decision = Literal["new", "join", "signpost"]
DECISION_LABELS: dict[str, str] = {
    "new": "Start a new group",
    "join": "Join an existing group",
    "signpost": "Signpost to an existing group",
}


class ExistingGroupCheck(Section):
    groups_considered: list[GroupName] = Field(
        default_factory=list,
        title="Groups looked at",
        description="Existing groups or networks on the same topic that you checked.",
        max_length=50,
    )
    decision: Decision | None = Field(
        default=None,
        title="Decision",
        description="What you decided after looking.",
        json_schema_extra=choice_labels(DECISION_LABELS),
    )
    reason: Prose = text("Reason", "Why this decision.", max_length=1000)


class Statement(Section):
    area_of_action: Prose = text(
        "Area of action", "The area you care about enough to act on.", max_length=1000
    )
    challenges: Prose = text(
        "Challenges", "The challenges the group is most passionate about.", max_length=2000
    )
    wider_help: Prose = text(
        "Where wider help would make the difference",
        "Which of those challenges others could help you overcome.",
        max_length=2000,
    )
    core_statement: Prose = text(
        "Core statement",
        "Two or three sentences: who you are, what you care about, what you will do together.",
        max_length=1500,
        advised=600,
        advised_why="people take in at a glance",
    )
    invitation: Prose = text(
        "Invitation",
        "The message that makes someone want to join.",
        max_length=3000,
        advised=1200,
        advised_why="most people read to the end",
    )
    existing_groups: ExistingGroupCheck = Field(
        default_factory=ExistingGroupCheck, title="Existing-group check"
    )


# --- Charter --------------------------------------------------------------------------------

Openness = Literal["open", "closed"]
OPENNESS_LABELS: dict[str, str] = {
    "open": "Open: anyone can join",
    "closed": "Closed: by invitation",
}


class Membership(Section):
    who_may_join: Prose = text("Who may join", max_length=1000)
    openness: Openness = Field(
        default="open",
        title="Open or closed",
        description="Can anyone join, or by invitation?",
        json_schema_extra=choice_labels(OPENNESS_LABELS),
    )
    commitment: Prose = text(
        "Expected commitment", "Time and effort a member is asked to give.", max_length=1000
    )


class Measure(Row):
    indicator: Line = text("Indicator", "What you will look at.", max_length=200)
    value_kind: ValueKindKey | None = Field(
        default=None, title="Kind of value", description="Which kind of value this shows."
    )
    target: Line = text("Target", "What good looks like, and by when.", max_length=200)
    review_date: CalendarDate | None = Field(default=None, title="Review date")


class Risk(Row):
    risk: Line = text("Risk", max_length=300)
    mitigation: Prose = text("Mitigation", max_length=1000)


AgreementStatus = Literal["open", "revealed"]
AGREEMENT_STATUS_LABELS: dict[str, str] = {
    "open": "Open: answers hidden",
    "revealed": "Revealed",
}


class AgreementAnswer(Section):
    """One person's answer to a quick agreement check, hidden from others until revealed."""

    voter: ShortLine = text("Who answered", max_length=80)
    level: WholeNumber = Field(
        ge=0, le=5, title="Ready to agree", description="0 (not at all) to 5 (fully)."
    )


class AgreementCheck(Section):
    """'How ready are we to agree this section?': a fist of five (0-5), anonymous, every answer
    hidden until they are revealed together; kept with the section as it was checked."""

    status: AgreementStatus = Field(
        default="open",
        title="Agreement check",
        description="Open (each person sees only their own answer) or revealed (everyone "
        "sees how many gave each answer, never who).",
        json_schema_extra=choice_labels(AGREEMENT_STATUS_LABELS),
    )
    started_on: CalendarDate | None = Field(
        default=None, title="Started on", description="The day the check was started."
    )
    checked: str = Field(
        default="",
        max_length=64,
        pattern=r"^[0-9a-f]*$",
        title="Section as checked",
        description="A fingerprint of the section's fields when the check started: a change "
        "to the section after it makes the check out of date.",
    )
    answers: list[AgreementAnswer] = Field(
        default_factory=list,
        title="Answers",
        description="While open: each person's answer, one each (none once revealed).",
        max_length=200,
    )
    tally: list[Annotated[WholeNumber, Field(ge=0)]] = Field(
        default_factory=list,
        title="How many gave each answer",
        description="Once revealed: how many people answered 0, 1, 2, 3, 4 and 5 (no names).",
        max_length=6,
    )

    @model_validator(mode="after")
    def _hidden_then_counted(self) -> AgreementCheck:
        seen: set[str] = set()
        for answer in self.answers:
            key = person_key(answer.voter)
            if not key or key in seen:
                raise ValueError("each person has one answer, under their name")
            seen.add(key)
        if self.status == "open" and self.tally:
            raise ValueError("an open check has no counts yet")
        if self.status == "revealed" and (self.answers or len(self.tally) != 6):
            raise ValueError("a revealed check keeps only how many gave each answer (six counts)")
        return self


class Charter(Section):
    purpose: Prose = text(
        "What are we trying to do?", "Purpose, the need and the change you want.", max_length=3000
    )
    approach: Prose = text(
        "How do we need to do it?", "Ways of working, activities and habits.", max_length=3000
    )
    people: Prose = text(
        "Who needs to do it?", "Roles, members and allies; who does what.", max_length=3000
    )
    evidence: Prose = text(
        "How will we know we are doing it?",
        "Signs of progress and value; see the measures below.",
        max_length=3000,
    )
    scope: Prose = text("In scope", max_length=2000)
    out_of_scope: Prose = text("Out of scope", max_length=2000)
    member_benefits: Prose = text(
        "What members get", "Why someone would give their time to this group.", max_length=2000
    )
    membership: Membership = Field(default_factory=Membership, title="Membership")
    values: Prose = text(
        "Values and ground rules",
        "How members treat each other, e.g. no question is silly.",
        max_length=2000,
    )
    rhythm: Prose = text(
        "Meeting rhythm", "How often, when and where the group meets.", max_length=1000
    )
    channels: Prose = text(
        "Channels and online space", "Where conversations and documents live.", max_length=1000
    )
    learning_sharing: Prose = text(
        "How learning is shared", "How what the group learns reaches others.", max_length=1000
    )
    measures: list[Measure] = table("Measures of success", max_length=30)
    risks: list[Risk] = table("Risks and mitigations", max_length=30)
    resources: Prose = text(
        "Resources and support needed",
        "Time, money, skills, and what you ask of the network team.",
        max_length=2000,
    )
    lifecycle_stage: LifecycleKey = Field(
        default_factory=lambda: catalogues.default_key("lifecycle_stages"),
        title="Lifecycle stage",
        description="Where the community is now.",
    )
    review_date: CalendarDate | None = Field(
        default=None, title="Charter review date", description="When the group will revisit this."
    )
    agreement: dict[str, AgreementCheck] = Field(
        default_factory=dict,
        title="Agreement checks",
        description="The latest quick agreement check of each section of the charter.",
    )

    @field_validator("agreement")
    @classmethod
    def _charter_sections(cls, checks: dict[str, AgreementCheck]) -> dict[str, AgreementCheck]:
        for key in checks:
            if key not in CHARTER_SECTIONS:
                raise ValueError(f"'{key}' is not a section of the charter")
        return checks


# --- Schedule -------------------------------------------------------------------------------

Frequency = Literal["none", "weekly", "fortnightly", "monthly"]
FREQUENCY_LABELS: dict[str, str] = {
    "none": "Once",
    "weekly": "Weekly",
    "fortnightly": "Fortnightly",
    "monthly": "Monthly",
}


MonthlyBy = Literal["weekday", "date", "last_weekday"]
MONTHLY_BY_LABELS: dict[str, str] = {
    "weekday": "On the same weekday (e.g. the first Tuesday)",
    "date": "On the same date (e.g. the 5th)",
    "last_weekday": "On the last such weekday (e.g. the last Thursday)",
}


class Recurrence(Section):
    frequency: Frequency = Field(
        default="none", title="Repeats", json_schema_extra=choice_labels(FREQUENCY_LABELS)
    )
    monthly_by: MonthlyBy = Field(
        default="date",
        title="Monthly on",
        description=(
            "For a monthly activity: the same date each month, or the same weekday, counted "
            "from the first date (the first Tuesday, the last Thursday)."
        ),
        json_schema_extra=choice_labels(MONTHLY_BY_LABELS),
    )
    count: WholeNumber | None = Field(
        default=None, ge=1, le=520, title="Number of times", description="How many times in all."
    )
    until: CalendarDate | None = Field(
        default=None, title="Until", description="Last possible date."
    )

    @model_validator(mode="after")
    def _count_or_until(self) -> Recurrence:
        if self.count is not None and self.until is not None:
            raise ValueError("give either a number of times or an end date, not both")
        return self


class Activity(Row):
    type: ActivityTypeKey = Field(
        default_factory=lambda: catalogues.default_key("activity_types"), title="Type"
    )
    title: Line = text("Title", max_length=120)
    start: LocalDateTime | None = Field(
        default=None, title="Starts", description="Local date and time, in the time zone below."
    )
    timezone: TimeZone = Field(default="Europe/London", title="Time zone")
    duration_minutes: WholeNumber = Field(default=60, ge=5, le=24 * 60, title="Duration (minutes)")
    recurrence: Recurrence = Field(default_factory=Recurrence, title="Recurrence")
    location: Line = text("Where", "A place, or the words 'online'.", max_length=300)
    link: Link = text("Link", "Joining link or page, starting with https://", max_length=500)
    owner: Name = text("Owner", "Who makes it happen.", max_length=80)
    hashtag: Hashtag = text(
        "Hashtag", "For tweet-chats: one unique tag, e.g. #SIGchat.", max_length=100
    )
    status: Status = status_field()
    notes: Prose = text("Notes", max_length=2000)

    @field_validator("start")
    @classmethod
    def _local_time(cls, start: dt.datetime | None) -> dt.datetime | None:
        if start is not None and start.tzinfo is not None:
            raise ValueError("give the local time without a UTC offset; the time zone is separate")
        return start

    @model_validator(mode="after")
    def _start_happens(self) -> Activity:
        if self.start is not None and skipped_local_time(self.start, self.timezone):
            message = (
                f"{self.start:%H:%M} on {self.start:%d %B %Y} does not happen in {self.timezone}:"
                " the clocks go forward over it; choose a time outside that hour"
            )
            problem = InitErrorDetails(
                type=PydanticCustomError("value_error", message),
                loc=("start",),
                input=self.start,
            )
            raise ValidationError.from_exception_data(type(self).__name__, [problem])
        return self

    @model_validator(mode="after")
    def _until_after_start(self) -> Activity:
        until = self.recurrence.until
        if until is not None and self.start is not None and until < self.start.date():
            raise ValueError("the recurrence end date is before the first date")
        return self


class Schedule(Section):
    activities: list[Activity] = table("Activities", max_length=200)


# --- Promotion ------------------------------------------------------------------------------


class PromotionAction(Row):
    channel: ChannelKey = Field(
        default_factory=lambda: catalogues.default_key("channels"), title="Channel"
    )
    draft: Prose = text("Draft text", max_length=70_000)
    owner: Name = text("Owner", max_length=80)
    date: CalendarDate | None = Field(default=None, title="Date")
    status: Status = status_field()


class Invitee(Section):
    name: Name = text("Name", max_length=120)
    organisation: Line = text("Organisation", max_length=200)
    reason: Line = text("Why invite them", max_length=300)


class OnlineSpaceHabits(Section):
    welcome_post: YesNo = Field(default=False, title="A welcome post is up")
    introductions: YesNo = Field(
        default=False, title="New members are asked to introduce themselves"
    )
    no_post_unanswered: YesNo = Field(
        default=False, title="Someone makes sure no post goes unanswered"
    )


class Promotion(Section):
    actions: list[PromotionAction] = table("Promotion actions", max_length=100)
    invitees: list[Invitee] = table(
        "People to invite", "Found in the member directory.", max_length=500
    )
    online_space: OnlineSpaceHabits = Field(
        default_factory=OnlineSpaceHabits, title="Online-space habits"
    )

    def actions_by_date(self) -> list[PromotionAction]:
        """The actions by date, undated ones last; otherwise in the plan's order."""
        return sorted(self.actions, key=lambda a: (a.date is None, a.date or dt.date.min))


# --- Continuing development -----------------------------------------------------------------

DevelopmentStatus = Literal["not_started", "in_progress", "done", "not_for_us"]
DEVELOPMENT_STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "not_for_us": "Not for us",
}


class DevelopmentItem(Section):
    status: DevelopmentStatus = Field(
        default="not_started",
        title="Status",
        json_schema_extra=choice_labels(DEVELOPMENT_STATUS_LABELS),
    )
    owner: Name = text("Owner", max_length=80)
    notes: Prose = text("Notes", max_length=1000)


class Development(Section):
    items: dict[FollowOnKey, DevelopmentItem] = Field(
        default_factory=dict,
        title="Continuing development",
        description="Follow-on actions after launch; keyed by the catalogue's action.",
    )


# --- Design meeting -------------------------------------------------------------------------


def _default_timeboxes() -> dict[str, int]:
    return {step.key: step.minutes for step in STEPS if step.minutes}


class StepTimer(Section):
    """The shared countdown of one step in the design meeting: every screen shows the same."""

    spent_seconds: float = Field(
        default=0, ge=0, le=24 * 3600, title="Time spent (seconds)", description="Before it ran."
    )
    running_since: float | None = Field(
        default=None,
        ge=0,
        title="Running since",
        description="When it was started (seconds since 1970, UTC); empty while paused.",
    )
    added_seconds: float = Field(
        default=0, ge=0, le=24 * 3600, title="Time added (seconds)", description="To the timebox."
    )


RecordLine = Annotated[str, StringConstraints(max_length=2000)]
"""One line of a meeting's record (a change or a decision in plain words)."""


def _step_key(key: str) -> str:
    if key not in {step.key for step in STEPS}:
        raise ValueError(f"'{key}' is not a step of the workbook")
    return key


StepKey = Annotated[str, AfterValidator(_step_key)]
"""A step of the workbook, by its key ('charter')."""


class LiveMeeting(Section):
    """The meeting going on now, shared by every screen: who leads, the group's step, who is
    ready, and how long the group has spent on each step."""

    lead: ShortLine = Field(
        title="Lead", description="Who leads the meeting: the lead's step is the group's step."
    )
    step: StepKey = Field(default="start", title="The group's step")
    roam: YesNo = Field(
        default=False,
        title="Free to roam",
        description="People move on their own: nobody is brought along to the lead's step.",
    )
    ready: list[ShortLine] = Field(
        default_factory=list, max_length=500, title="Ready", description="Done with this step."
    )
    attendees: list[ShortLine] = Field(
        default_factory=list, max_length=500, title="Attendees", description="Who took part."
    )
    started_at: float = Field(ge=0, title="Started", description="Seconds since 1970, UTC.")
    step_since: float = Field(
        ge=0, title="On this step since", description="Seconds since 1970, UTC."
    )
    spent: dict[StepKey, float] = Field(
        default_factory=dict,
        title="Time per step",
        description="Seconds the group spent on each step before the one it is on.",
    )
    started_revision: int = Field(
        default=0, ge=0, title="Revision at the start", description="The plan when it began."
    )


class StepTime(Section):
    """One step of a meeting's record: the time spent against its timebox."""

    step: StepKey = Field(title="Step")
    planned_minutes: WholeNumber = Field(default=0, ge=0, le=480, title="Timebox (minutes)")
    spent_seconds: float = Field(default=0, ge=0, title="Time spent (seconds)")


class MeetingRecord(Section):
    """What one meeting did, kept with the SIG: the next meeting starts from it."""

    date: CalendarDate = Field(title="Date")
    started_at: float = Field(ge=0, title="Started", description="Seconds since 1970, UTC.")
    ended_at: float = Field(ge=0, title="Ended", description="Seconds since 1970, UTC.")
    lead: ShortLine = Field(default="", title="Led by")
    attendees: list[ShortLine] = Field(default_factory=list, max_length=500, title="Attendees")
    steps: list[StepTime] = Field(default_factory=list, max_length=50, title="Time per step")
    changes: list[RecordLine] = Field(
        default_factory=list, max_length=2000, title="What changed in the plan"
    )
    decisions: list[RecordLine] = Field(default_factory=list, max_length=200, title="Decisions")


class SetAside(Row):
    """A version of a text field someone typed that did not end up in the field (their choice,
    a refused save, leaving mid-conflict, or replaced by another's "Keep mine"): kept, so that
    anyone can bring it back from the field's history."""

    field: Line = text("Field", "The place in the plan the text was typed in.", max_length=200)
    words: Prose = text("Words", "The text as it was typed.", max_length=20_000)
    author: Line = text("Written by", max_length=200)
    why: Line = text("Why it was set aside", max_length=300)
    replaced_by: Line = text(
        "Replaced by",
        "Who chose their own version over these words: the writer is told, with Undo.",
        max_length=200,
    )


class Meeting(Section):
    date: CalendarDate | None = Field(default=None, title="Meeting date")
    length_minutes: WholeNumber = Field(default=90, ge=15, le=480, title="Meeting length (minutes)")
    timeboxes: dict[str, WholeNumber] = Field(
        default_factory=_default_timeboxes,
        title="Agenda",
        description="Minutes per step in the design meeting.",
    )

    timers: dict[str, StepTimer] = Field(
        default_factory=dict,
        title="Timers",
        description="Each step's timer in the meeting, started, paused and reset on any screen.",
    )
    live: LiveMeeting | None = Field(
        default=None, title="The meeting now", description="Empty when no meeting is going on."
    )
    records: list[MeetingRecord] = Field(
        default_factory=list, max_length=500, title="Meeting records", description="Oldest first."
    )

    set_aside: list[SetAside] = table(
        "Versions set aside",
        "Text typed in a field that did not end up in it, kept to bring back.",
    )

    @field_validator("timers")
    @classmethod
    def _timed_steps(cls, timers: dict[str, StepTimer]) -> dict[str, StepTimer]:
        keys = {step.key for step in STEPS if step.minutes}
        for key in timers:
            if key not in keys:
                raise ValueError(f"'{key}' is not a step of the meeting")
        return timers

    @field_validator("timeboxes")
    @classmethod
    def _known_steps(cls, timeboxes: dict[str, int]) -> dict[str, int]:
        keys = {step.key for step in STEPS if step.minutes}
        for key, minutes in timeboxes.items():
            if key not in keys:
                raise ValueError(
                    f"'{key}' is not a step of the meeting ({', '.join(sorted(keys))})"
                )
            if not 0 <= minutes <= 480:
                raise ValueError(f"the timebox for '{key}' must be between 0 and 480 minutes")
        # Every step has a timebox; one left out (an import, say) has none: 0 minutes.
        return {step.key: timeboxes.get(step.key, 0) for step in STEPS if step.minutes}


# --- The plan -------------------------------------------------------------------------------


class Plan(Section):
    """A SIG's whole plan, as stored, exported to JSON and imported."""

    schema_version: Literal[1] = Field(default=SCHEMA_VERSION, title="Schema version")
    id: Slug = Field(title="SIG id", description="Derived from the first name; used in addresses.")
    identity: Identity = Field(default_factory=Identity, title="Name and description")
    core_group: CoreGroup = Field(default_factory=CoreGroup, title="Core group")
    statement: Statement = Field(default_factory=Statement, title="Core statement")
    charter: Charter = Field(default_factory=Charter, title="Charter")
    schedule: Schedule = Field(default_factory=Schedule, title="Schedule")
    promotion: Promotion = Field(default_factory=Promotion, title="Promotion")
    development: Development = Field(default_factory=Development, title="Continuing development")
    meeting: Meeting = Field(default_factory=Meeting, title="Design meeting")
