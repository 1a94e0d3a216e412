"""The access audit's SQL: the findings of each organization as of a business day, derived from the dated rows
(rows.py), and its accounts. Each finding's kind is a FindingKind, with its severity rank and the first day it
held; queries.py runs the SQL and shapes the answers."""

from __future__ import annotations

from enum import StrEnum

from domain.screening import DEFAULT_SCREENING_INTERVAL_DAYS, REQUIRED_SOURCES


class FindingKind(StrEnum):
    NO_PRIMARY_USER = "no_primary_user"
    PRIMARY_USER_DEPARTED = "primary_user_departed_without_modification"  # departed or deactivated, no POSC-DC-PM
    REPLACEMENT_PENDING = "primary_user_replacement_pending"  # a POSC-DC-PM is approved, the new user not recorded
    MODIFICATION_SUBMITTED = "primary_user_modification_submitted"  # gone, and a POSC-DC-PM is with MassHealth
    DEPARTED_WITH_ACCESS = "departed_with_access"
    PARTNER_NEVER_REVIEWED = "partner_never_reviewed"
    PARTNER_ENGAGEMENT_ENDED = "partner_engagement_ended"  # a billing agency's engagement over, its access not
    REVIEW_OVERDUE = "access_review_overdue"
    EXCLUDED = "excluded"  # a confirmed match of the organization, an owner, managing employee or clinician
    EXCLUSION_SUSPECTED = "exclusion_suspected"  # a suspected match awaiting review
    SCREENING_OVERDUE = "screening_overdue"  # a subject not screened against a federal list within the interval
    NO_BACKUP = "no_backup_primary_user"  # nobody current is named the back-up (alternate) primary user
    LOGIN_INACTIVE = "login_inactive"  # an active ID with no POSC login recorded for too long


# Days without a recorded POSC login before an active ID is a finding, unless the tenant set its own
# (tenant_settings.login_inactivity_days): MassHealth ends long-inactive IDs, and the firm should see them first.
DEFAULT_LOGIN_INACTIVITY_DAYS = 90


_REQUIRED_SOURCES = ", ".join(f"'{source}'" for source in REQUIRED_SOURCES)

# $1 as_of, $2 the default review interval, $3 the reader's organizations, $4 organization filter. Every finding
# names its severity rank (3 critical, 2 high, 1 medium) and the first day it held.
#
# Everything is as of the business day $1, derived from dated facts: the organizations registered by then, their
# primary user then (the term covering it), the accounts opened by then with the grants they held at its end, since
# when without a break, whether a deactivation covered it, their last review by then. So the audit of a past day
# shows that day, whatever was recorded since (and today's shows today).
FINDINGS = f"""
WITH settings AS (
    SELECT COALESCE((SELECT access_review_interval_days FROM tenant_settings), $2::integer) AS days,
        COALESCE((SELECT login_inactivity_days FROM tenant_settings), {DEFAULT_LOGIN_INACTIVITY_DAYS}) AS login_days,
        COALESCE((SELECT screening_interval_days FROM tenant_settings), {DEFAULT_SCREENING_INTERVAL_DAYS})
            AS screening_days
), orgs AS (
    SELECT o.organization_id, o.legal_name, o.npi, o.registered_on, o.updated_at,
        t.account_id AS primary_user_account_id, t.started_on AS primary_user_since
    FROM access_audit_organizations o
    LEFT JOIN LATERAL (SELECT t.account_id, t.started_on FROM access_audit_primary_terms t
        WHERE t.organization_id = o.organization_id AND t.started_on <= $1
        ORDER BY t.started_on DESC, t.started_version DESC LIMIT 1) t ON true
    WHERE o.registered_on <= $1
        AND ($3::uuid[] IS NULL OR o.organization_id = ANY($3)) AND ($4::uuid[] IS NULL OR o.organization_id = ANY($4))
), held AS (
    -- Each account's grant periods open at the end of $1.
    SELECT g.account_id, array_agg(DISTINCT g.function ORDER BY g.function) AS grants
    FROM access_audit_grants g JOIN orgs USING (organization_id)
    WHERE g.granted_on <= $1 AND (g.ended_on IS NULL OR g.ended_on > $1)
    GROUP BY g.account_id
), since AS (
    -- Where each account's unbroken holding began: the latest start, by $1, that no earlier period still covered.
    SELECT g.account_id, max(g.granted_on) AS access_since
    FROM access_audit_grants g JOIN orgs USING (organization_id)
    WHERE g.granted_on <= $1 AND NOT EXISTS (SELECT 1 FROM access_audit_grants e
        WHERE e.account_id = g.account_id AND e.granted_on < g.granted_on
            AND (e.ended_on IS NULL OR e.ended_on >= g.granted_on))
    GROUP BY g.account_id
), accounts AS (
    -- The review clock runs from the last review, or from when the current access began if that is later.
    SELECT a.account_id, a.organization_id, a.person_name, a.role, a.partner_firm, a.partner_function,
        a.opened_on, CASE WHEN a.departed_on <= $1 THEN a.departed_on END AS departed_on,
        CASE WHEN a.engagement_ended_on <= $1 THEN a.engagement_ended_on END AS engagement_ended_on,
        d.deactivated_on, CASE WHEN d.deactivated_on IS NULL THEN 'active' ELSE 'deactivated' END AS status,
        COALESCE(h.grants, '{{}}') AS grants, CASE WHEN h.grants IS NOT NULL THEN si.access_since END AS access_since,
        r.reviewed_on AS last_review_on, r.outcome AS last_review_outcome, r.reviewer AS last_reviewer,
        CASE WHEN h.grants IS NOT NULL THEN GREATEST(r.reviewed_on, si.access_since) + s.days END AS review_due_on,
        (SELECT max(l.logged_in_on) FROM access_audit_logins l WHERE l.account_id = a.account_id
            AND l.logged_in_on <= $1) AS last_login_on, s.login_days,
        EXISTS (SELECT 1 FROM access_audit_backups b WHERE b.account_id = a.account_id AND b.named_on <= $1
            AND (b.ended_on IS NULL OR b.ended_on > $1)) AS backup
    FROM access_audit_accounts a JOIN orgs o USING (organization_id) CROSS JOIN settings s
    LEFT JOIN held h USING (account_id) LEFT JOIN since si USING (account_id)
    LEFT JOIN LATERAL (SELECT x.deactivated_on FROM access_audit_deactivations x
        WHERE x.account_id = a.account_id AND x.deactivated_on <= $1
            AND (x.reactivated_on IS NULL OR x.reactivated_on > $1)
        ORDER BY x.deactivated_on DESC LIMIT 1) d ON true
    LEFT JOIN LATERAL (SELECT x.reviewed_on, x.outcome, x.reviewer FROM access_audit_reviews x
        WHERE x.account_id = a.account_id AND x.reviewed_on <= $1
        ORDER BY x.reviewed_on DESC, x.version DESC LIMIT 1) r ON true
    WHERE a.opened_on <= $1
), locations AS (
    -- MassHealth's Primary User Policy: a primary user per PID/SL. Each service location other than A enrolled that
    -- day (A's enrollment and primary user are the organization's), with its primary user then.
    SELECT e.organization_id, e.code, e.enrolled_on, p.account_id AS primary_user_account_id
    FROM access_audit_location_enrollments e JOIN orgs USING (organization_id)
    LEFT JOIN LATERAL (SELECT p.account_id FROM access_audit_location_primaries p
        WHERE p.organization_id = e.organization_id AND p.code = e.code AND p.started_on <= $1
        ORDER BY p.started_on DESC, p.started_version DESC LIMIT 1) p ON true
    WHERE e.enrolled_on <= $1 AND (e.ended_on IS NULL OR e.ended_on > $1)
), primaries AS (
    SELECT organization_id, 'A'::text AS code, primary_user_account_id AS account_id FROM orgs
    WHERE primary_user_account_id IS NOT NULL
    UNION ALL
    SELECT organization_id, code, primary_user_account_id FROM locations WHERE primary_user_account_id IS NOT NULL
), unused_modifications AS (
    -- Approved POSC-DC-PMs that no primary user's term (of A, or of the location they name) has used yet.
    SELECT m.organization_id, m.application_id, m.approved_on, m.service_location FROM access_audit_modifications m
    JOIN orgs USING (organization_id)
    WHERE m.approved_on <= $1 AND NOT EXISTS (SELECT 1 FROM access_audit_primary_terms t
        WHERE t.organization_id = m.organization_id AND t.modification_id = m.application_id AND t.started_on <= $1)
        AND NOT EXISTS (SELECT 1 FROM access_audit_location_primaries t
        WHERE t.organization_id = m.organization_id AND t.modification_id = m.application_id AND t.started_on <= $1)
), primary_gone AS (
    SELECT p.organization_id, p.code, a.account_id, a.person_name, pm.application_id, pm.approved_on,
        LEAST(a.departed_on, a.deactivated_on) AS since, sub.application_id AS submitted_id, sub.submitted_on,
        CASE p.code WHEN 'A' THEN 'The primary user' ELSE 'The primary user of service location ' || p.code END
            AS whose
    FROM primaries p JOIN accounts a ON a.account_id = p.account_id
    LEFT JOIN LATERAL (SELECT u.application_id, u.approved_on FROM unused_modifications u
        WHERE u.organization_id = p.organization_id AND u.service_location = p.code
        ORDER BY u.approved_on, u.application_id LIMIT 1) pm ON true
    -- A POSC-DC-PM for the location with MassHealth that day (submitted, not answered yet).
    LEFT JOIN LATERAL (SELECT x.application_id, x.submitted_on FROM access_audit_modification_submissions x
        JOIN access_audit_modifications m ON m.application_id = x.application_id
        WHERE x.organization_id = p.organization_id AND m.service_location = p.code AND x.submitted_on <= $1
            AND (x.ended_on IS NULL OR x.ended_on > $1)
        ORDER BY x.submitted_on, x.application_id LIMIT 1) sub ON true
    WHERE a.status = 'deactivated' OR a.departed_on IS NOT NULL
), clinicians AS (
    -- Each clinician counted at a practice that day: each where it renders, and the one whose roster it is on while
    -- it renders anywhere or has not yet (onboarding: screened before it enrolls), not once every link has ended
    -- (it left); from the earlier of the two.
    SELECT organization_id, practitioner_id, min(since) AS since, min(name) AS name FROM (
        SELECT c.organization_id, c.practitioner_id, c.registered_on AS since, c.name
        FROM access_audit_clinicians c JOIN orgs USING (organization_id) WHERE c.registered_on <= $1
            AND NOT EXISTS (SELECT 1 FROM access_audit_renderings r WHERE r.practitioner_id = c.practitioner_id
                AND r.linked_on <= $1 AND r.ended_on <= $1 AND NOT EXISTS (SELECT 1 FROM access_audit_renderings o
                    WHERE o.practitioner_id = c.practitioner_id AND o.linked_on <= $1
                    AND (o.ended_on IS NULL OR o.ended_on > $1)))
        UNION ALL
        SELECT r.linked_organization_id, r.practitioner_id, r.linked_on, c.name
        FROM access_audit_renderings r JOIN access_audit_clinicians c USING (tenant_id, practitioner_id)
        JOIN orgs o ON o.organization_id = r.linked_organization_id
        WHERE r.linked_on <= $1 AND (r.ended_on IS NULL OR r.ended_on > $1)) sites
    GROUP BY organization_id, practitioner_id
), subjects AS (
    -- Everyone screened for the organization that day (42 CFR 455.436): itself, the owners and managing employees
    -- disclosed, the clinicians; each since the day it became one.
    SELECT organization_id, organization_id AS subject_id, registered_on AS since, 'The organization' AS whose,
        'the organization''s applications and plan activations are' AS consequence
    FROM orgs
    UNION ALL
    SELECT d.organization_id, d.person_id, d.disclosed_on, initcap(replace(d.role, '_', ' ')) || ' ' || d.name,
        'the organization''s applications and plan activations are'
    FROM access_audit_disclosures d JOIN orgs USING (organization_id)
    WHERE d.disclosed_on <= $1 AND (d.ended_on IS NULL OR d.ended_on > $1)
    UNION ALL
    -- No program pays for what an excluded clinician renders: its own applications and new links are held.
    SELECT organization_id, practitioner_id, since, 'Clinician ' || name,
        'no program pays for the services the clinician renders; its applications and new rendering links are'
    FROM clinicians
), exclusions AS (
    -- The exclusion lists' matches standing that day against a subject, from the later of the screening and the
    -- day it became one.
    SELECT s.organization_id, x.source, x.result, x.list_version, x.list_date,
        GREATEST(x.screened_on, s.since) AS screened_on, s.whose, s.consequence
    FROM access_audit_screenings x JOIN subjects s ON s.subject_id = x.subject_id
    WHERE x.screened_on <= $1 AND (x.ended_on IS NULL OR x.ended_on > $1)
), unscreened AS (
    -- Each subject's last screening against each federal list by that day, where it is older than the interval
    -- (or there is none, once the interval has passed since it became a subject).
    SELECT s.organization_id, s.subject_id, s.whose, l.source, last.last_on, st.screening_days,
        GREATEST(COALESCE(last.last_on, s.since) + st.screening_days + 1, s.since) AS since
    FROM subjects s CROSS JOIN settings st CROSS JOIN unnest(ARRAY[{_REQUIRED_SOURCES}]) AS l(source)
    LEFT JOIN LATERAL (SELECT max(c.screened_on) AS last_on FROM access_audit_screened c
        WHERE c.subject_id = s.subject_id AND c.source = l.source AND c.screened_on <= $1) last ON true
    WHERE COALESCE(last.last_on, s.since) + st.screening_days < $1
), backup_lost AS (
    -- Each organization with a primary user and no back-up counting that day (named, active, not departed), with
    -- the day it was last without one: the primary user's start, or a back-up's end, departure or deactivation.
    SELECT o.organization_id, GREATEST(o.primary_user_since, max(LEAST(b.ended_on, a.departed_on,
        a.deactivated_on))) AS since
    FROM orgs o LEFT JOIN access_audit_backups b ON b.organization_id = o.organization_id AND b.named_on <= $1
    LEFT JOIN accounts a ON a.account_id = b.account_id
    WHERE o.primary_user_account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts x
        WHERE x.organization_id = o.organization_id AND x.backup AND x.status = 'active' AND x.departed_on IS NULL)
    GROUP BY o.organization_id, o.primary_user_since
), findings AS (
    SELECT organization_id, '{FindingKind.NO_PRIMARY_USER}' AS kind, 3 AS rank, registered_on AS since,
        NULL::uuid AS account_id, NULL::text AS person_name,
        'No primary user administers the organization''s POSC access.' AS detail, 'A' AS service_location
    FROM orgs WHERE primary_user_account_id IS NULL
    UNION ALL
    SELECT organization_id, '{FindingKind.NO_PRIMARY_USER}', 3, enrolled_on, NULL, NULL,
        format('Service location %s is enrolled (its own PID/SL) and no primary user administers its POSC access.',
        code), code
    FROM locations WHERE primary_user_account_id IS NULL
    UNION ALL
    SELECT organization_id, '{FindingKind.PRIMARY_USER_DEPARTED}', 3, since, account_id, person_name,
        whose || ' has departed or been deactivated, and no POSC-DC-PM naming a new one is approved or '
        'with MassHealth.', code
    FROM primary_gone WHERE application_id IS NULL AND submitted_id IS NULL
    UNION ALL
    -- Being handled: still nobody administers the access until MassHealth approves it (high, not critical).
    SELECT organization_id, '{FindingKind.MODIFICATION_SUBMITTED}', 2, GREATEST(since, submitted_on), account_id,
        person_name, format('%s has departed or been deactivated; POSC-DC-PM %s, submitted on %s, '
        'awaits MassHealth''s approval.', whose, submitted_id, to_char(submitted_on, 'YYYY-MM-DD')), code
    FROM primary_gone WHERE application_id IS NULL AND submitted_id IS NOT NULL
    UNION ALL
    SELECT organization_id, '{FindingKind.REPLACEMENT_PENDING}', 1, GREATEST(since, approved_on), account_id,
        person_name, format('POSC-DC-PM %s was approved on %s; record the new primary user%s.',
        application_id, to_char(approved_on, 'YYYY-MM-DD'),
        CASE code WHEN 'A' THEN '' ELSE ' of service location ' || code END), code
    FROM primary_gone WHERE application_id IS NOT NULL
    UNION ALL
    SELECT organization_id, '{FindingKind.DEPARTED_WITH_ACCESS}', 2, departed_on, account_id, person_name,
        format('Departed on %s and still holds %s.', to_char(departed_on, 'YYYY-MM-DD'),
        array_to_string(grants, ', ')), NULL
    FROM accounts WHERE departed_on IS NOT NULL AND cardinality(grants) > 0
    UNION ALL
    -- IDs end when a vendor's engagement ends (MassHealth's Primary User Policy).
    SELECT organization_id, '{FindingKind.PARTNER_ENGAGEMENT_ENDED}', 2, engagement_ended_on, account_id, person_name,
        format('The engagement of business partner %s ended on %s, and it still holds %s.', partner_firm,
        to_char(engagement_ended_on, 'YYYY-MM-DD'), array_to_string(grants, ', ')), NULL
    FROM accounts WHERE engagement_ended_on IS NOT NULL AND cardinality(grants) > 0
    UNION ALL
    -- Once its first review is due: a partner granted access today is not yet a finding.
    SELECT organization_id, '{FindingKind.PARTNER_NEVER_REVIEWED}', 2, review_due_on + 1, account_id,
        person_name, format('Business partner %s has held access since %s and nobody has reviewed it (due %s).',
        partner_firm, to_char(access_since, 'YYYY-MM-DD'), to_char(review_due_on, 'YYYY-MM-DD')), NULL
    FROM accounts WHERE role = 'business_partner' AND cardinality(grants) > 0 AND last_review_on IS NULL
        AND review_due_on < $1
    UNION ALL
    -- No federal program pays an excluded provider (42 CFR 1001.1901): submissions, approvals and plan activations
    -- are refused until the match is cleared with a reason.
    SELECT organization_id, '{FindingKind.EXCLUDED}', 3, screened_on, NULL, NULL,
        format('%s: confirmed match on the %s exclusion list of %s (version %s); %s held until the match is cleared '
        'with a reason.', whose, source, to_char(list_date, 'YYYY-MM-DD'), list_version, consequence), NULL
    FROM exclusions WHERE result = 'confirmed_match'
    UNION ALL
    SELECT organization_id, '{FindingKind.EXCLUSION_SUSPECTED}', 2, screened_on, NULL, NULL,
        format('%s: suspected match on the %s exclusion list of %s, awaiting review for %s days.', whose, source,
        to_char(list_date, 'YYYY-MM-DD'), $1 - screened_on), NULL
    FROM exclusions WHERE result = 'suspected_match'
    UNION ALL
    -- Screened before enrollment and at least monthly after (42 CFR 455.436): one finding per subject, naming each
    -- federal list it is overdue on.
    SELECT organization_id, '{FindingKind.SCREENING_OVERDUE}', 2, min(since), NULL, NULL,
        format('%s: not screened within %s days against %s (42 CFR 455.436).', whose, min(screening_days),
        string_agg(CASE source WHEN 'oig_leie' THEN 'the OIG LEIE' ELSE upper(source) END || CASE WHEN last_on IS NULL
            THEN ' (never)' ELSE ' (last ' || to_char(last_on, 'YYYY-MM-DD') || ')' END, ' and ' ORDER BY source)),
        NULL
    FROM unscreened GROUP BY organization_id, subject_id, whose
    UNION ALL
    -- MassHealth's Primary User Policy: a back-up (alternate) primary user should exist.
    SELECT organization_id, '{FindingKind.NO_BACKUP}', 1, since, NULL, NULL,
        'No back-up (alternate) primary user is named: nobody can administer the POSC access if the primary user is '
        'away or leaves.', NULL
    FROM backup_lost
    UNION ALL
    -- MassHealth ends long-inactive IDs: an ID nobody uses is one to end, or one MassHealth will end unannounced.
    SELECT organization_id, '{FindingKind.LOGIN_INACTIVE}', 1, COALESCE(last_login_on, opened_on) + login_days + 1,
        account_id, person_name, CASE WHEN last_login_on IS NULL
            THEN format('No POSC login recorded since the account was opened on %s (limit %s days).',
                to_char(opened_on, 'YYYY-MM-DD'), login_days)
            ELSE format('No POSC login recorded since %s (limit %s days).', to_char(last_login_on, 'YYYY-MM-DD'),
                login_days) END, NULL
    FROM accounts WHERE status = 'active' AND departed_on IS NULL
        AND COALESCE(last_login_on, opened_on) + login_days < $1
    UNION ALL
    -- A partner never reviewed has the graver partner_never_reviewed instead.
    SELECT organization_id, '{FindingKind.REVIEW_OVERDUE}', 1, review_due_on + 1, account_id, person_name,
        format('The access review was due on %s.', to_char(review_due_on, 'YYYY-MM-DD')), NULL
    FROM accounts WHERE review_due_on < $1 AND (role <> 'business_partner' OR last_review_on IS NOT NULL)
), summary AS (
    SELECT organization_id, count(*)::integer AS findings_count, max(rank) AS worst_severity,
        array_agg(kind) AS kinds, array_agg(CASE rank WHEN 3 THEN 'critical' WHEN 2 THEN 'high' ELSE 'medium' END)
            AS severities,
        jsonb_agg(jsonb_build_object('kind', kind, 'severity',
            CASE rank WHEN 3 THEN 'critical' WHEN 2 THEN 'high' ELSE 'medium' END, 'since', since,
            'account_id', account_id, 'person_name', person_name, 'detail', detail,
            'service_location', service_location)
            ORDER BY rank DESC, since, kind, service_location, account_id, detail) AS findings
    FROM findings GROUP BY organization_id
), audit AS (
    SELECT o.organization_id, o.legal_name, o.npi, o.primary_user_account_id, o.primary_user_since,
        o.registered_on, o.updated_at, COALESCE(s.findings_count, 0) AS findings_count,
        COALESCE(s.worst_severity, 0) AS worst_severity, COALESCE(s.kinds, '{{}}') AS kinds,
        COALESCE(s.severities, '{{}}') AS severities, COALESCE(s.findings, '[]') AS findings
    FROM orgs o LEFT JOIN summary s USING (organization_id)
)
"""

ACCOUNTS = """
    SELECT jsonb_agg(jsonb_build_object('account_id', a.account_id, 'person_name', a.person_name, 'role', a.role,
        'partner_firm', a.partner_firm, 'partner_function', a.partner_function, 'status', a.status,
        'departed_on', a.departed_on, 'engagement_ended_on', a.engagement_ended_on, 'deactivated_on', a.deactivated_on,
        'grants', a.grants,
        'access_since', a.access_since, 'last_review', CASE WHEN a.last_review_on IS NOT NULL THEN
        jsonb_build_object('on', a.last_review_on, 'outcome', a.last_review_outcome, 'reviewer', a.last_reviewer)
        END, 'review_due_on', a.review_due_on, 'opened_on', a.opened_on, 'last_login_on', a.last_login_on,
        'backup', a.backup)
        ORDER BY array_position(ARRAY['primary', 'subordinate', 'business_partner'], a.role), a.opened_on,
        a.account_id)
    FROM accounts a WHERE a.organization_id = page.organization_id
"""
