-- The last day a declaration accepts damage reports (the province's announcement sets it);
-- drafted claims not confirmed by then are reminded before it and refused after it. Declarations
-- made before this column have none.
ALTER TABLE disasters ADD COLUMN claims_close_on DATE;
