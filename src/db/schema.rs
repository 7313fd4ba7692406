//! Written by hand in the SQL types both backends share (see migrations/).

diesel::table! {
    provinces (code) {
        code -> Text,
        name_th -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    amphoes (code) {
        code -> Text,
        province_code -> Text,
        name_th -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    tambons (code) {
        code -> Text,
        amphoe_code -> Text,
        name_th -> Text,
        name_en -> Text,
        postcode -> Text,
    }
}

diesel::table! {
    households (id) {
        id -> Integer,
        registry_number -> Text,
        tambon_code -> Text,
        amphoe_code -> Text,
        province_code -> Text,
        village_no -> Integer,
        house_no -> Text,
        registered_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    members (id) {
        id -> Integer,
        household_id -> Integer,
        national_id -> Text,
        title -> Text,
        first_name -> Text,
        last_name -> Text,
        birth_date -> Date,
        relation -> Text,
        is_head -> Bool,
        phone -> Nullable<Text>,
    }
}

diesel::table! {
    plots (id) {
        id -> Integer,
        household_id -> Integer,
        label -> Text,
        tambon_code -> Text,
        area_sq_wa -> Integer,
        land_document -> Nullable<Text>,
        tenure -> Text,
        irrigated -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plantings (id) {
        id -> Integer,
        plot_id -> Integer,
        crop -> Text,
        season_year -> Integer,
        season -> Text,
        area_sq_wa -> Integer,
        planted_on -> Nullable<Date>,
        updated_at -> Timestamp,
        registered_on -> Nullable<Date>,
    }
}

diesel::table! {
    livestock (id) {
        id -> Integer,
        household_id -> Integer,
        species -> Text,
        head_count -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> Integer,
        household_id -> Integer,
        kind -> Text,
        organisation -> Text,
        member_number -> Nullable<Text>,
        since -> Nullable<Date>,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        role -> Text,
        email -> Nullable<Text>,
        national_id -> Nullable<Text>,
        display_name -> Text,
        password_hash -> Text,
        household_id -> Nullable<Integer>,
        scope_province_code -> Nullable<Text>,
        scope_amphoe_code -> Nullable<Text>,
        locale -> Text,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        phone -> Nullable<Text>,
        channels -> Text,
        line_user_id -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (key_hash) {
        key_hash -> Text,
        user_id -> Nullable<Integer>,
        state -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Integer,
        account_key -> Text,
        ip -> Text,
        succeeded -> Bool,
        at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Integer,
        user_id -> Integer,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Integer,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        user_id -> Nullable<Integer>,
        channels -> Text,
        channel_index -> Integer,
        phone -> Nullable<Text>,
        sms_text -> Text,
        failed_at -> Nullable<Timestamp>,
        line_user_id -> Nullable<Text>,
    }
}

diesel::table! {
    one_time_codes (id) {
        id -> Integer,
        purpose -> Text,
        user_id -> Nullable<Integer>,
        phone -> Text,
        salt -> Text,
        code_hash -> Text,
        pending -> Text,
        requested_from -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        tries -> Integer,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    deliveries (outbox_id, channel) {
        outbox_id -> Integer,
        channel -> Text,
        status -> Text,
        provider_ref -> Nullable<Text>,
        detail -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        actor_user_id -> Nullable<Integer>,
        actor_role -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        household_id -> Nullable<Integer>,
        field -> Nullable<Text>,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
        api_key_id -> Nullable<Integer>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Integer,
        name -> Text,
        key_prefix -> Text,
        secret_sha256 -> Text,
        scopes -> Text,
        purpose -> Text,
        scope_province_code -> Nullable<Text>,
        scope_amphoe_code -> Nullable<Text>,
        requests_per_minute -> Integer,
        created_by -> Integer,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sync_cursors (source) {
        source -> Text,
        cursor -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    registry_rejects (id) {
        id -> Integer,
        source -> Text,
        received_at -> Timestamp,
        registry_number -> Text,
        province_code -> Nullable<Text>,
        field -> Text,
        problem -> Text,
        record -> Text,
        reviewed_at -> Nullable<Timestamp>,
        reviewed_by -> Nullable<Integer>,
    }
}

diesel::table! {
    open_datasets (id) {
        id -> Text,
        generated_at -> Timestamp,
        rows_json -> Text,
    }
}

diesel::table! {
    data_requests (id) {
        id -> Integer,
        user_id -> Integer,
        household_id -> Integer,
        amphoe_code -> Text,
        kind -> Text,
        status -> Text,
        details -> Text,
        due_on -> Date,
        resolution -> Text,
        resolved_by -> Nullable<Integer>,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    consents (id) {
        id -> Integer,
        user_id -> Integer,
        purpose -> Text,
        notice_version -> Text,
        given -> Bool,
        at -> Timestamp,
    }
}

diesel::table! {
    disasters (id) {
        id -> Integer,
        hazard -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        description -> Text,
        declared_by -> Nullable<Integer>,
        created_at -> Timestamp,
        claims_close_on -> Nullable<Date>,
    }
}

diesel::table! {
    disaster_tambons (disaster_id, tambon_code) {
        disaster_id -> Integer,
        tambon_code -> Text,
    }
}

diesel::table! {
    entitlements (household_id, programme_id) {
        household_id -> Integer,
        programme_id -> Text,
        rule_version -> Text,
        status -> Text,
        amount_satang -> Nullable<BigInt>,
        failing -> Text,
        evaluated_at -> Timestamp,
    }
}

diesel::table! {
    decided_rules (programme_id) {
        programme_id -> Text,
        rule_version -> Text,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    reminders (kind, subject) {
        kind -> Text,
        subject -> Text,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    notices (id) {
        id -> Integer,
        user_id -> Integer,
        kind -> Text,
        subject -> Text,
        amount_satang -> Nullable<BigInt>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    applications (id) {
        id -> Integer,
        reference -> Nullable<Text>,
        household_id -> Integer,
        applicant_id -> Nullable<Integer>,
        programme_id -> Text,
        status -> Text,
        version -> Integer,
        answers -> Text,
        assigned_to -> Nullable<Integer>,
        rejected_by -> Nullable<Integer>,
        decided_on -> Nullable<Date>,
        appealed -> Bool,
        snapshot_rule_version -> Nullable<Text>,
        snapshot_status -> Nullable<Text>,
        snapshot_amount_satang -> Nullable<BigInt>,
        snapshot_facts -> Nullable<Text>,
        snapshot_explanation -> Nullable<Text>,
        due_on -> Nullable<Date>,
        escalated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        approved_amount_satang -> Nullable<BigInt>,
        approved_amount_reason -> Nullable<Text>,
        paid_amount_satang -> Nullable<BigInt>,
        payment_failure -> Nullable<Text>,
    }
}

diesel::table! {
    application_events (id) {
        id -> Integer,
        application_id -> Integer,
        at -> Timestamp,
        actor_id -> Nullable<Integer>,
        actor_role -> Text,
        kind -> Text,
        reason -> Nullable<Text>,
        message -> Text,
        internal -> Bool,
    }
}

diesel::table! {
    case_checks (application_id, step) {
        application_id -> Integer,
        step -> Text,
        done_on -> Date,
        note -> Text,
        recorded_by -> Nullable<Integer>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> Integer,
        application_id -> Integer,
        event_id -> Nullable<Integer>,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> Integer,
        sha256 -> Text,
        stored_as -> Text,
        uploaded_by -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reference_counters (year) {
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    ratings (id) {
        id -> Integer,
        application_id -> Integer,
        user_id -> Integer,
        programme_id -> Text,
        province_code -> Text,
        amphoe_code -> Text,
        officer_id -> Nullable<Integer>,
        satisfaction -> Integer,
        effort -> Integer,
        comment -> Text,
        processing_days -> Integer,
        missed_deadline -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rating_counts (month, programme_id, amphoe_code, officer_id, band, missed_deadline, satisfaction) {
        month -> Text,
        programme_id -> Text,
        province_code -> Text,
        amphoe_code -> Text,
        officer_id -> Integer,
        band -> Integer,
        missed_deadline -> Bool,
        satisfaction -> Integer,
        ratings -> BigInt,
        effort_sum -> BigInt,
    }
}

diesel::table! {
    page_feedback (id) {
        id -> Integer,
        path -> Text,
        useful -> Bool,
        user_id -> Nullable<Integer>,
        created_at -> Timestamp,
        voter -> Nullable<Text>,
    }
}

diesel::table! {
    satisfaction_alerts (month, kind, subject) {
        month -> Text,
        kind -> Text,
        subject -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    improvement_actions (id) {
        id -> Integer,
        subject_kind -> Text,
        subject -> Text,
        title_th -> Text,
        title_en -> Text,
        description_th -> Text,
        description_en -> Text,
        taken_on -> Date,
        recorded_by -> Integer,
        created_at -> Timestamp,
    }
}

diesel::joinable!(amphoes -> provinces (province_code));
diesel::joinable!(disaster_tambons -> disasters (disaster_id));
diesel::joinable!(entitlements -> households (household_id));
diesel::joinable!(applications -> households (household_id));
diesel::joinable!(application_events -> applications (application_id));
diesel::joinable!(attachments -> applications (application_id));
diesel::joinable!(case_checks -> applications (application_id));
diesel::joinable!(deliveries -> outbox (outbox_id));
diesel::joinable!(tambons -> amphoes (amphoe_code));
diesel::joinable!(households -> tambons (tambon_code));
diesel::joinable!(members -> households (household_id));
diesel::joinable!(plots -> households (household_id));
diesel::joinable!(plantings -> plots (plot_id));
diesel::joinable!(livestock -> households (household_id));
diesel::joinable!(memberships -> households (household_id));
diesel::joinable!(password_resets -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    data_requests,
    open_datasets,
    sync_cursors,
    registry_rejects,
    api_keys,
    consents,
    provinces,
    amphoes,
    tambons,
    households,
    members,
    plots,
    plantings,
    livestock,
    memberships,
    users,
    sessions,
    login_attempts,
    password_resets,
    outbox,
    deliveries,
    one_time_codes,
    audit_log,
    disasters,
    disaster_tambons,
    entitlements,
    decided_rules,
    applications,
    application_events,
    attachments,
    reference_counters,
    ratings,
    rating_counts,
    page_feedback,
    improvement_actions,
    satisfaction_alerts,
    notices,
    reminders,
    case_checks,
);
