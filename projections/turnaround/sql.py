"""The turnaround view's SQL: each application as it stood at a day's end, measured against its kind's SLA target
on the payer's clock, with its due dates; the metrics per group; the aging of open applications.

Business days are counted with the stored business-day indexes (handlers.business_day_index): the days from a to b
are index(b) - index(a), and the business day ``n`` business days after a has index(a) + n, so due dates are
computed, compared and sorted as indexes here and turned into dates by the caller (handlers.business_day_at).

The payer's clock (DESIGN §1, the seeds' "within seven business days"): it starts when the payer receives the
submission (a fax or the portal: the day sent; a mailed form: its confirmed delivery), and a deficiency notice stops
it and starts the client's until the answer. So breaches count the payer's days only (the total less the client's
and the days in the mail), and the payer's due date is counted from the receipt, moved out by every day the client
holds the application. Until a mailed form's delivery is confirmed its clock is counted from the mailing, the
earliest it could have started: a due date never later than the real one.
"""

from __future__ import annotations

# Each application with its facts as they stood at the end of a day: the step that covers it (handlers.StepRow).
STEPS = "turnaround_steps s JOIN turnaround_applications a USING (tenant_id, application_id)"
AGING_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 30), (31, 60), (61, 90), (91, None))
DUE_SOON_DAYS = 5  # "due soon": on one of the next five business days, a working week


def _stood_on(day: str) -> str:
    """The step that covers the day (a parameter such as $4); applications opened after it have none."""
    return f"s.effective_on <= {day} AND (s.until IS NULL OR s.until > {day})"


def _since(index_column: str, as_of_index: str) -> str:
    """Business days from the column's date to as_of; NULL when the date has no index."""
    return f"CASE WHEN {index_column} IS NOT NULL THEN GREATEST(0, {as_of_index} - {index_column}) END"


# Where the payer's clock starts, and the business days in the mail before it (0 for a fax or the portal).
def _received(as_of_index: str) -> str:
    """The receipt's index if it had come by as_of (a mailed form's receipt may be known, and dated after a past
    as_of): until then the form is in the mail."""
    return f"CASE WHEN received_index <= {as_of_index} THEN received_index END"


def _clock(as_of_index: str) -> str:
    return f"COALESCE({_received(as_of_index)}, submitted_index)"


def _transit(as_of_index: str) -> str:
    return f"COALESCE({_received(as_of_index)} - submitted_index, 0)"


def _held(as_of_index: str) -> str:
    """The client's days to as_of: its closed periods, and the open one counted to as_of."""
    running = _since("client_since_index", as_of_index)
    return f"CASE WHEN stage = 'open' AND client_since IS NOT NULL THEN client_days + {running} ELSE client_days END"


# --- per application ---------------------------------------------------------------------------

_FACTS = (
    "application_id, a.organization_id, kind, plan, provider_type, stage AS status, outcome, first_submitted_on, "
    "submitted_on, submissions, rejections, last_rejected_on, decided_on, deficiencies, open_deficiencies, "
    "submitted_index, client_since_index, "
    "CASE WHEN received_index <= $3 THEN received_on END AS received_on, "
    f"{_clock('$3')} AS clock_index, {_transit('$3')} AS transit_days"
)

# $1, $2 keyset; $3 as_of's business-day index; $4 as_of; $5 targets (jsonb); $6 the reader's organizations;
# $7 limit; $8-$15 the filters; $16 the client's business days to answer a deficiency; $17 due by (an index);
# $18 late.
APPLICATIONS = f"""
WITH facts AS (
    SELECT {_FACTS},
        CASE stage WHEN 'open' THEN {_since("submitted_index", "$3")} ELSE business_days END AS business_days,
        {_held("$3")} AS client_days,
        CASE stage WHEN 'open' THEN $4::date WHEN 'preparing' THEN NULL ELSE decided_on END AS counted_to,
        CASE WHEN stage = 'open' THEN CASE WHEN open_deficiencies > 0 THEN 'client' ELSE 'payer' END
             END AS waiting_on,
        ($5::jsonb ->> kind)::int AS sla_target_days
    FROM {STEPS}
    WHERE {_stood_on("$4")} AND ($6::uuid[] IS NULL OR a.organization_id = ANY($6))
      AND ($8::text IS NULL OR kind = $8) AND ($9::text IS NULL OR plan = $9)
      AND ($10::text IS NULL OR provider_type = $10) AND ($11::text IS NULL OR stage = $11)
      AND ($12::uuid[] IS NULL OR a.organization_id = ANY($12))
      AND ($15::uuid IS NULL OR application_id = $15)
), measured AS (
    SELECT *, business_days - client_days - transit_days AS payer_days,
        CASE WHEN status IN ('open', 'decided') THEN business_days - client_days - transit_days > sla_target_days
             END AS breached,
        CASE WHEN status = 'open' THEN received_on IS NULL END AS receipt_pending,
        -- The payer's due date: the target counted from the receipt, moved out by the client's days.
        CASE WHEN status IN ('open', 'decided') THEN clock_index + sla_target_days + client_days END AS due_index,
        CASE WHEN waiting_on = 'client' THEN client_since_index + $16 END AS answer_due_index
    FROM facts
), dated AS (
    -- What is due next, and by whom: the payer's decision, or the client's answer while the client holds it.
    SELECT *, CASE waiting_on WHEN 'payer' THEN due_index WHEN 'client' THEN answer_due_index END AS next_due_index
    FROM measured
), sorted AS (
    SELECT *, next_due_index < $3 AS late,
        -- Sort keys are NOT NULL for keyset paging: the unknown sort last.
        COALESCE(submitted_on, DATE '9999-12-31') AS sort_submitted_on,
        COALESCE(decided_on, DATE '9999-12-31') AS sort_decided_on,
        COALESCE(business_days, -1) AS sort_business_days,
        COALESCE(next_due_index, 2147483647) AS sort_next_due
    FROM dated
)
SELECT * FROM sorted
WHERE {{keyset}} AND ($13::boolean IS NULL OR breached = $13) AND ($14::text IS NULL OR waiting_on = $14)
  AND ($17::integer IS NULL OR next_due_index <= $17) AND ($18::boolean IS NULL OR late = $18)
ORDER BY {{order_by}} LIMIT $7
"""
APPLICATION_SORTS = {
    "submitted_on": ("sort_submitted_on", "date"),
    "decided_on": ("sort_decided_on", "date"),
    "business_days": ("sort_business_days", "integer"),
    "next_due_on": ("sort_next_due", "integer"),
}


# --- metrics -----------------------------------------------------------------------------------

# $1, $2 keyset; $3 targets; $4 the reader's organizations; $5 limit; then the filters and $11 pooled.
# Decided applications' facts are final: their current steps.
METRICS = f"""
WITH decided AS (
    -- $11 pools plans and provider types: one group per kind and month (the figures over all of them).
    SELECT kind, CASE WHEN $11 THEN NULL ELSE plan END AS plan,
        CASE WHEN $11 THEN NULL ELSE provider_type END AS provider_type,
        to_char(decided_on, 'YYYY-MM') AS month, outcome, deficiencies,
        business_days, client_days, business_days - client_days - COALESCE(received_index - submitted_index, 0)
            AS payer_days,
        ($3::jsonb ->> kind)::int AS target
    FROM {STEPS}
    WHERE s.until IS NULL AND stage = 'decided' AND business_days IS NOT NULL
      AND ($4::uuid[] IS NULL OR a.organization_id = ANY($4))
      AND ($6::text IS NULL OR kind = $6) AND ($7::text IS NULL OR plan = $7)
      AND ($8::text IS NULL OR provider_type = $8)
      AND ($9::date IS NULL OR decided_on >= $9) AND ($10::date IS NULL OR decided_on < $10)
), grouped AS (
    SELECT
        -- A stable id per group, the tie-breaker keyset paging needs.
        md5(concat_ws(chr(31), kind, COALESCE(plan, ''), COALESCE(provider_type, ''), month))::uuid AS group_id,
        kind, plan, provider_type, month,
        -- Sort keys that order whole groups (month, then kind, plan, provider type ...), bytewise.
        concat_ws(chr(31), month, kind, COALESCE(plan, ''), provider_type) COLLATE "C" AS by_month,
        concat_ws(chr(31), kind, COALESCE(plan, ''), provider_type, month) COLLATE "C" AS by_kind,
        concat_ws(chr(31), provider_type, kind, COALESCE(plan, ''), month) COLLATE "C" AS by_provider_type,
        count(*)::int AS count,
        (count(*) FILTER (WHERE outcome = 'approved'))::int AS approved,
        (count(*) FILTER (WHERE outcome = 'denied'))::int AS denied,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY business_days) AS median_business_days,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY business_days) AS p90_business_days,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY client_days) AS median_client_days,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY payer_days) AS median_payer_days,
        max(target) AS sla_target_days,
        (count(*) FILTER (WHERE payer_days > target))::int AS breaches,
        (count(*) FILTER (WHERE deficiencies > 0))::float8 / count(*) AS deficiency_rate
    FROM decided GROUP BY kind, plan, provider_type, month
)
SELECT * FROM grouped WHERE {{keyset}} ORDER BY {{order_by}} LIMIT $5
"""
METRIC_SORTS = {
    "month": ("by_month", "text"),
    "kind": ("by_kind", "text"),
    "provider_type": ("by_provider_type", "text"),
    "count": ("count", "integer"),
    "median_business_days": ("median_business_days", "float8"),
    "p90_business_days": ("p90_business_days", "float8"),
    "breaches": ("breaches", "integer"),
    "deficiency_rate": ("deficiency_rate", "float8"),
}


# --- aging -------------------------------------------------------------------------------------


def bucket_label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


def _count_where(condition: str) -> str:
    return f"(count(*) FILTER (WHERE {condition}))::int"


def _bucket_filter(low: int, high: int | None) -> str:
    return _count_where(f"days >= {low}" + (f" AND days <= {high}" if high is not None else ""))


# $1 as_of's index; $2 as_of; $3 targets; $4 the reader's organizations; $5-$8 the filters; $9 the client's
# business days to answer a deficiency. Aged by business days since submission; breached on the payer's clock.
AGING = f"""
WITH opened AS (
    SELECT kind, submitted_on, open_deficiencies, $1 - submitted_index AS days, {_held("$1")} AS held,
        {_clock("$1")} AS clock_index, {_transit("$1")} AS transit, client_since_index,
        ($3::jsonb ->> kind)::int AS target
    FROM {STEPS}
    WHERE {_stood_on("$2")} AND stage = 'open' AND submitted_index IS NOT NULL
      AND ($4::uuid[] IS NULL OR a.organization_id = ANY($4))
      AND ($5::text IS NULL OR kind = $5) AND ($6::text IS NULL OR plan = $6)
      AND ($7::text IS NULL OR provider_type = $7) AND ($8::uuid[] IS NULL OR a.organization_id = ANY($8))
), due AS (
    SELECT *, CASE WHEN open_deficiencies > 0 THEN client_since_index + $9 ELSE clock_index + target + held
              END AS next_due
    FROM opened
)
SELECT kind, count(*)::int AS open, {_count_where("open_deficiencies > 0")} AS waiting_on_client,
    max(target) AS sla_target_days, {_count_where("days - held - transit > target")} AS breached,
    {_count_where("next_due < $1")} AS late,
    {_count_where(f"next_due >= $1 AND next_due <= $1 + {DUE_SOON_DAYS}")} AS due_soon,
    min(submitted_on) AS oldest_submitted_on,
    ARRAY[{", ".join(_bucket_filter(low, high) for low, high in AGING_BUCKETS)}] AS buckets
FROM due GROUP BY kind ORDER BY kind
"""
