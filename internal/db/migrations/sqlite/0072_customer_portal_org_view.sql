-- A customer's own say over the portal's organization view (docs/portal.md):
-- NULL follows the organization's portal_shared; TRUE lets the customer see
-- the organization's requests even when the organization does not share
-- them; FALSE withdraws the view although the organization shares them.
ALTER TABLE customers ADD COLUMN portal_org_view BOOLEAN;
