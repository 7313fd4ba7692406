-- Every coded column accepts only the codes of its domain enum (src/db/codes.rs).
ALTER TABLE users ADD CONSTRAINT users_role_code CHECK (role IN ('farmer', 'officer', 'manager', 'admin', 'partner'));
ALTER TABLE applications ADD CONSTRAINT applications_status_code CHECK (status IN ('draft', 'submitted', 'info_requested', 'appealed', 'approved', 'rejected', 'paid', 'completed', 'withdrawn'));
ALTER TABLE data_requests ADD CONSTRAINT data_requests_kind_code CHECK (kind IN ('correction', 'deletion'));
ALTER TABLE data_requests ADD CONSTRAINT data_requests_status_code CHECK (status IN ('open', 'done', 'declined'));
ALTER TABLE disasters ADD CONSTRAINT disasters_hazard_code CHECK (hazard IN ('flood', 'drought', 'storm', 'pest', 'cold', 'fire'));
ALTER TABLE consents ADD CONSTRAINT consents_purpose_code CHECK (purpose IN ('agency_services', 'payment'));
ALTER TABLE api_keys ADD CONSTRAINT api_keys_purpose_code CHECK (purpose IN ('agency_services', 'payment'));
ALTER TABLE members ADD CONSTRAINT members_relation_code CHECK (relation IN ('head', 'spouse', 'child', 'parent', 'other'));
ALTER TABLE plots ADD CONSTRAINT plots_land_document_code CHECK (land_document IN ('chanote', 'ns3k', 'ns3', 'spk401', 'sk1', 'pbt5', 'none'));
ALTER TABLE plots ADD CONSTRAINT plots_tenure_code CHECK (tenure IN ('owned', 'rented', 'alro', 'free'));
ALTER TABLE plantings ADD CONSTRAINT plantings_crop_code CHECK (crop IN ('rice', 'cassava', 'sugarcane', 'rubber', 'maize', 'fruit', 'vegetables'));
ALTER TABLE plantings ADD CONSTRAINT plantings_season_code CHECK (season IN ('main', 'off', 'perennial'));
ALTER TABLE livestock ADD CONSTRAINT livestock_species_code CHECK (species IN ('cattle', 'buffalo', 'pig', 'chicken', 'duck', 'goat'));
ALTER TABLE memberships ADD CONSTRAINT memberships_kind_code CHECK (kind IN ('cooperative', 'baac', 'farmer_group', 'community_enterprise'));
