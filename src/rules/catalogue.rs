//! The fact catalogue: every fact a rule may read, with its type, whether a farmer can change
//! it, and what it means. Facts are derived from the registry in `facts.rs`; `/rules/facts`
//! shows this list to policy officers.

use super::types::Type;

pub struct FactDef {
    pub name: &'static str,
    pub ty: Type,
    /// Whether a farmer could change it (by planting, registering land …); "almost eligible"
    /// only points at conditions on facts that can change.
    pub can_change: bool,
    pub th: &'static str,
    pub en: &'static str,
}

macro_rules! facts {
    ($($name:ident : $ty:ident, $change:literal, $th:literal, $en:literal;)+) => {
        /// The catalogue, in the order the facts are stored in a `Facts` row.
        pub const CATALOGUE: &[FactDef] = &[
            $(FactDef { name: stringify!($name), ty: Type::$ty, can_change: $change, th: $th, en: $en },)+
        ];

        /// Slot numbers of the facts, used by the code that derives them.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Fact { $($name,)+ }
    };
}

facts! {
    today: Date, false, "วันที่ประเมินสิทธิ์", "The date of the evaluation";
    crop_year: Number, false, "ปีการผลิตปัจจุบัน (พ.ศ. ปีเริ่มต้น เช่น 2568 = 2568/69; เริ่ม 1 พฤษภาคม)", "The current crop year (Buddhist era of its start, e.g. 2568 = 2025/26; starts 1 May)";
    province: Text, false, "รหัสจังหวัดของครัวเรือน (2 หลัก)", "The household's province code (2 digits)";
    amphoe: Text, false, "รหัสอำเภอของครัวเรือน (4 หลัก)", "The household's district code (4 digits)";
    tambon: Text, false, "รหัสตำบลของครัวเรือน (6 หลัก)", "The household's subdistrict code (6 digits)";
    registered_on: Date, false, "วันที่ขึ้นทะเบียนเกษตรกร", "The date the household joined the farmer registry";
    head_age: Number, false, "อายุของหัวหน้าครัวเรือน (ปี)", "The household head's age in years";
    household_members: Number, true, "จำนวนสมาชิกครัวเรือน", "Number of household members";
    total_area: Area, true, "เนื้อที่ถือครองทั้งหมด", "All land of the household";
    titled_area: Area, true, "เนื้อที่ที่มีเอกสารสิทธิ์ (โฉนด น.ส.3 น.ส.3 ก) — ไม่ทราบหากบางแปลงยังไม่ได้บันทึกเอกสาร", "Land with a title document (Chanote, Nor Sor 3, Nor Sor 3 Kor) — unknown while a plot's document is not recorded";
    alro_area: Area, true, "เนื้อที่ ส.ป.ก.", "Land-reform (ALRO) land";
    owned_area: Area, true, "เนื้อที่ของตนเอง", "Land owned";
    rented_area: Area, true, "เนื้อที่เช่า", "Land rented";
    land_documents_recorded: Bool, true, "ทุกแปลงบันทึกเอกสารสิทธิ์แล้ว", "Every plot has its land document recorded";
    irrigated_area: Area, true, "เนื้อที่ในเขตชลประทาน", "Land inside irrigated areas";
    rainfed_area: Area, true, "เนื้อที่นอกเขตชลประทาน", "Land outside irrigated areas";
    rice_area_main: Area, true, "เนื้อที่ปลูกข้าวนาปี ปีการผลิตปัจจุบัน", "Main-season rice planted this crop year";
    rice_area_off: Area, true, "เนื้อที่ปลูกข้าวนาปรัง ปีการผลิตปัจจุบัน", "Off-season rice planted this crop year";
    cassava_area: Area, true, "เนื้อที่ปลูกมันสำปะหลัง ปีการผลิตปัจจุบัน", "Cassava planted this crop year";
    sugarcane_area: Area, true, "เนื้อที่ปลูกอ้อย ปีการผลิตปัจจุบัน", "Sugarcane planted this crop year";
    maize_area: Area, true, "เนื้อที่ปลูกข้าวโพดเลี้ยงสัตว์ ปีการผลิตปัจจุบัน", "Maize planted this crop year";
    vegetable_area: Area, true, "เนื้อที่ปลูกพืชผัก ปีการผลิตปัจจุบัน", "Vegetables planted this crop year";
    field_crop_area: Area, true, "เนื้อที่พืชไร่และพืชผัก (มันสำปะหลัง อ้อย ข้าวโพด ผัก) ปีการผลิตปัจจุบัน", "Field crops and vegetables (cassava, sugarcane, maize, vegetables) this crop year";
    rubber_area: Area, true, "เนื้อที่สวนยางพารา", "Rubber plantations";
    fruit_area: Area, true, "เนื้อที่ไม้ผล", "Fruit orchards";
    perennial_area: Area, true, "เนื้อที่ไม้ผลและไม้ยืนต้น (ยางพารา ไม้ผล)", "Fruit and perennial crops (rubber, fruit)";
    cattle_head: Number, true, "จำนวนโคเนื้อ (ตัว)", "Beef cattle (head)";
    buffalo_head: Number, true, "จำนวนกระบือ (ตัว)", "Buffalo (head)";
    pig_head: Number, true, "จำนวนสุกร (ตัว)", "Pigs (head)";
    chicken_head: Number, true, "จำนวนไก่ (ตัว)", "Chickens (head)";
    duck_head: Number, true, "จำนวนเป็ด (ตัว)", "Ducks (head)";
    goat_head: Number, true, "จำนวนแพะ (ตัว)", "Goats (head)";
    baac_customer: Bool, true, "เป็นลูกค้า ธ.ก.ส.", "Is a BAAC customer";
    cooperative_member: Bool, true, "เป็นสมาชิกสหกรณ์การเกษตร", "Is a member of an agricultural cooperative";
    farmer_group_member: Bool, true, "เป็นสมาชิกกลุ่มเกษตรกรหรือวิสาหกิจชุมชน", "Is a member of a farmer group or community enterprise";
    baac_debt: Money, true, "ยอดหนี้คงค้างกับ ธ.ก.ส. — ไม่อยู่ในทะเบียน ต้องแจ้งเพิ่ม", "Outstanding BAAC debt — not in the registry, to be supplied";
    smart_farmer: Bool, true, "ผ่านการรับรอง Smart Farmer — ไม่อยู่ในทะเบียน ต้องแจ้งเพิ่ม", "Certified Smart Farmer — not in the registry, to be supplied";
    gap_certified: Bool, true, "แปลงได้รับรอง GAP — ไม่อยู่ในทะเบียน ต้องแจ้งเพิ่ม", "Has GAP-certified plots — not in the registry, to be supplied";
    in_disaster_zone: Bool, false, "ตำบลของครัวเรือนหรือของแปลงใดแปลงหนึ่งอยู่ในเขตประกาศภัยพิบัติที่มีผล ณ วันประเมิน", "The household's subdistrict, or a plot's, is in a declared disaster zone in force on the evaluation date";
    disaster_hazard: Text, false, "ประเภทภัยที่ประกาศ (flood น้ำท่วม, drought ภัยแล้ง, storm วาตภัย, pest ศัตรูพืชระบาด, cold ภัยหนาว)", "The declared hazard (flood, drought, storm, pest, cold)";
    disaster_started_on: Date, false, "วันที่เกิดภัยตามประกาศ", "The date the declared disaster began";
    damaged_rice_area: Area, false, "เนื้อที่ข้าวที่เสียหายในเขตภัย — ตามที่แจ้งในคำขอ ก่อนแจ้งคือข้าวทั้งหมดในแปลงที่อยู่ในเขตภัย (ฤดูที่มากกว่า)", "Rice damaged in the disaster zone — as reported on the claim; before that, all rice on plots in the zone (the larger season)";
    damaged_field_crop_area: Area, false, "เนื้อที่พืชไร่และพืชผักที่เสียหายในเขตภัย — ตามที่แจ้งในคำขอ ก่อนแจ้งคือทั้งหมดในแปลงที่อยู่ในเขตภัย", "Field crops and vegetables damaged in the disaster zone — as reported on the claim; before that, all of them on plots in the zone";
    damaged_perennial_area: Area, false, "เนื้อที่ไม้ผลไม้ยืนต้นที่เสียหายในเขตภัย — ตามที่แจ้งในคำขอ ก่อนแจ้งคือทั้งหมดในแปลงที่อยู่ในเขตภัย", "Fruit and perennial crops damaged in the disaster zone — as reported on the claim; before that, all of them on plots in the zone";
    rice_registered_on: Date, false, "วันที่แจ้งปลูกข้าวนาปีของปีการผลิตปัจจุบันในทะเบียน (แปลงที่แจ้งก่อน) — ถ้าทะเบียนไม่มีวันที่แจ้งปลูก ใช้วันที่ครัวเรือนขึ้นทะเบียน", "The day this crop year's main-season rice was reported to the registry (its first plot reported) — the day the household joined the registry where no crop report date is recorded";
}

/// Whether a fact comes from the household's registry record, so a farmer who finds it wrong
/// can ask for it to be corrected: not the date, the disaster declarations, or the damage a
/// claim reports.
pub fn from_registry(fact: usize) -> bool {
    !matches!(
        CATALOGUE.get(fact).map(|f| f.name),
        None | Some(
            "today"
                | "crop_year"
                | "in_disaster_zone"
                | "disaster_hazard"
                | "disaster_started_on"
                | "damaged_rice_area"
                | "damaged_field_crop_area"
                | "damaged_perennial_area"
        )
    )
}
