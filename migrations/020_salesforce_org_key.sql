-- A Salesforce connector is found by its org's 15-character id, whichever form (15 or 18
-- characters) the admin saved and whichever an inbound delivery names.
update connectors set account = left(account, 15) where type = 'salesforce' and length(account) = 18;
