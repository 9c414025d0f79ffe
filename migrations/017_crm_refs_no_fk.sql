-- CRM references are written a sync page at a time (thousands a statement), and a foreign key
-- checks each row with a plan made while the contacts table was still small: before its
-- statistics catch up, a first sync spent most of its time there. Contacts are never deleted
-- (erasure clears them and drops their references itself), so, like the other high-volume
-- tables, the references carry no foreign key.
alter table contact_crm_refs drop constraint if exists contact_crm_refs_tenant_id_contact_id_fkey;
