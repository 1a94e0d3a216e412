-- Each attempt at a delivery is claimed with a token of its own (services/webhooks/sender.py): its outcome is
-- recorded only if the claim still stands, so an attempt outliving its lease, or a delivery re-queued by an
-- administrator meanwhile, cannot overwrite what happened since.
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS claim uuid;
