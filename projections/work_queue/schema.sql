-- Work queue: what the firm's specialists have to do, derived from the records, and what they decided about it.
-- Unqualified names: `credledger migrate` runs this in the public schema, `credledger rebuild` in a fresh one.
--
-- A task is named by its cause (task_id = uuid5 of the tenant and the cause), opened on the business day its cause
-- arose and closed on the day it went away. Due dates in business days that depend on the firm's settings (the
-- deficiency answer days, the SLA targets) are computed at query time from basis_index, a business-day index
-- (projections/turnaround/handlers.py: business_day_index); a fixed due date is stored with its index.
CREATE TABLE IF NOT EXISTS work_tasks (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    task_id uuid NOT NULL,
    kind text NOT NULL,
    cause text NOT NULL,
    subject_id uuid NOT NULL,  -- the application, practitioner or organization it is about
    label text NOT NULL,
    priority text NOT NULL,  -- high or normal
    opened_on date NOT NULL,  -- the business day its cause arose (a renewal: 90 days before the expiry)
    closed_on date,  -- its cause went away that day (answered, decided, renewed, cleared)
    caused_on date NOT NULL,  -- the business day of the fact that caused it
    due_rule text NOT NULL,  -- fixed, deficiency_answer or sla
    application_kind text,  -- the SLA target's kind (due_rule sla)
    basis_index integer,  -- the business-day index the settings' days count from
    due_on date,  -- a fixed due date
    due_index integer,  -- its business-day index
    PRIMARY KEY (tenant_id, organization_id, task_id)
);
CREATE INDEX IF NOT EXISTS work_tasks_open ON work_tasks (tenant_id, opened_on) WHERE closed_on IS NULL;

-- What people decided about a task (domain/task.py): kept apart, so it holds whatever order the task's cause and
-- its decisions are applied in.
CREATE TABLE IF NOT EXISTS work_task_states (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    task_id uuid NOT NULL,
    assignee text,
    assigned_on date,
    snoozed_on date,  -- the day it was snoozed (as of an earlier day it was not)
    snoozed_until date,
    resolution text,  -- completed or dismissed
    resolved_on date,
    resolution_reason text,
    PRIMARY KEY (tenant_id, task_id)
);
CREATE INDEX IF NOT EXISTS work_task_states_by_organization ON work_task_states (tenant_id, organization_id);

-- Names and kinds the tasks' events do not carry.
CREATE TABLE IF NOT EXISTS work_organizations (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    legal_name text NOT NULL,
    revalidation_submitted_on date,  -- its latest revalidation submitted: it answers earlier letters
    PRIMARY KEY (tenant_id, organization_id)
);
CREATE TABLE IF NOT EXISTS work_applications (
    tenant_id text NOT NULL,
    application_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    kind text NOT NULL,
    practitioner text,  -- a clinician's own application: the clinician's name, for its tasks' labels
    PRIMARY KEY (tenant_id, application_id)
);
CREATE INDEX IF NOT EXISTS work_applications_by_organization ON work_applications (tenant_id, organization_id);
CREATE TABLE IF NOT EXISTS work_practitioners (
    tenant_id text NOT NULL,
    practitioner_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (tenant_id, practitioner_id)
);
CREATE INDEX IF NOT EXISTS work_practitioners_by_organization ON work_practitioners (tenant_id, organization_id);

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['work_tasks', 'work_task_states', 'work_organizations', 'work_applications',
                                'work_practitioners'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', name);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', name);
        EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %I', name);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_setting(''app.tenant_id'', true)) '
                       'WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', name);
    END LOOP;
END $$;

GRANT SELECT ON work_tasks, work_task_states, work_organizations, work_practitioners TO credledger_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON work_tasks, work_task_states, work_organizations, work_applications,
    work_practitioners TO credledger_worker;
