//! Texts in scripts written without spaces (Chinese, Japanese, Thai) are shingled by
//! character and scored by what they hold: a copy with a number changed is a copy, an
//! unrelated story is not, and a full article is not "thin".

use crate::support::reprint;
use serde_json::Value;

const CHINESE: &str = "本市第三条地铁线路将于明年五月正式开通运营，全长28公里，共设二十二座车站。\
市交通局负责人在周二的新闻发布会上表示，新线路将连接城东的大学城与西部的工业园区，预计每天可运送乘客约四十万人次。\
为了缓解施工期间的交通压力，有关部门在沿线增设了十二条临时公交线路，并延长了部分线路的运营时间。\n\n\
负责人还指出，新线路的所有车站都将配备无障碍电梯和自动售票机，乘客可以使用手机支付乘车费用。\
沿线居民普遍对新线路表示欢迎，但也有一些商户担心施工期间客流减少会影响生意。\
交通局表示将与商户保持沟通，尽量减少施工对周边商业的影响。";

const CHINESE_OTHER: &str = "今年春季，南方山区的茶农迎来了采茶的好时节。由于三月份雨水充足、气温适宜，\
新茶的品质明显好于往年，收购价格也随之上涨。一位在山上种了二十多年茶的老人说，今年的嫩芽又多又壮，炒制出来的茶叶香气浓郁。\n\n\
当地合作社组织了技术人员上门指导，帮助茶农改进加工工艺，并通过网络平台把茶叶直接卖给城市里的消费者。\
合作社负责人介绍，线上销售不仅减少了中间环节，也让茶农的收入提高了三成左右。\
不过，也有茶农担心劳动力不足，年轻人大多外出打工，采茶季节常常找不到足够的人手。";

const JAPANESE: &str = "市の図書館は来月から開館時間を延長し、平日は午後九時まで利用できるようになると発表した。\
仕事帰りの会社員や学生からの要望が多かったことが理由だという。延長に合わせて、館内の自習室も増設され、\
座席数は120席から180席に増える予定だ。\n\n図書館の担当者は、夜間の利用者が安心して過ごせるよう警備員を増やし、\
入口の照明も明るくすると説明した。また、電子書籍の貸し出しサービスも拡充し、自宅からでも新刊を借りられるようにするという。\
市民からは歓迎の声が上がる一方で、職員の負担が増えることを心配する意見もある。市は新たに職員を採用して対応する方針だ。";

const JAPANESE_OTHER: &str = "北海道の小さな港町で、今年初めてのサケの水揚げが行われた。漁業関係者によると、\
海水温の上昇の影響で漁獲量は例年より少なく、価格は高めに推移している。地元の漁師は、早朝から網を引き上げる作業に追われながらも、\
魚の質は良いと笑顔を見せた。\n\n町の加工場では、水揚げされたサケがすぐにさばかれ、いくらや切り身として全国に出荷される。\
町の観光協会は、秋の味覚を楽しめるイベントを週末に開き、多くの家族連れでにぎわった。\
一方で、若い漁師の数は年々減っており、後継者の確保が大きな課題となっている。";

const THAI: &str = "กรมอุตุนิยมวิทยาประกาศเตือนว่าจะมีฝนตกหนักในหลายจังหวัดทางภาคเหนือตลอดสัปดาห์นี้ \
ประชาชนที่อาศัยอยู่ใกล้ริมแม่น้ำและเชิงเขาควรระวังน้ำป่าไหลหลากและดินถล่ม \
เจ้าหน้าที่ท้องถิ่นได้เตรียมศูนย์พักพิงชั่วคราวไว้แล้ว 15 แห่ง พร้อมอาหารและน้ำดื่มสำหรับผู้ที่ต้องอพยพ\n\n\
ผู้ว่าราชการจังหวัดกล่าวว่าได้สั่งการให้ทุกอำเภอเฝ้าระวังระดับน้ำอย่างใกล้ชิดและรายงานสถานการณ์ทุกสามชั่วโมง \
นอกจากนี้ยังขอให้ชาวบ้านติดตามข่าวสารจากหน่วยงานราชการอย่างต่อเนื่อง";

const THAI_OTHER: &str = "ตลาดน้ำแห่งหนึ่งในจังหวัดราชบุรีกลับมาคึกคักอีกครั้งหลังจากที่เงียบเหงามานานหลายปี \
พ่อค้าแม่ค้าพายเรือนำผลไม้ ขนมไทย และอาหารพื้นบ้านมาขายให้นักท่องเที่ยวตั้งแต่เช้าตรู่\n\n\
ชาวบ้านในชุมชนร่วมกันปรับปรุงทางเดินริมคลองและติดตั้งป้ายบอกทางเป็นภาษาต่างประเทศ \
ผู้นำชุมชนเล่าว่าการท่องเที่ยวช่วยให้คนรุ่นใหม่กลับมาทำงานที่บ้านเกิดมากขึ้น \
และรายได้ที่เพิ่มขึ้นก็ถูกนำไปใช้พัฒนาโรงเรียนและวัดในหมู่บ้าน";

/// Scans the original, its copy with one number changed, and an unrelated story; the
/// docs.jsonl lines.
fn scan_three(original: &str, number: (&str, &str), other: &str) -> Vec<Value> {
    assert!(original.contains(number.0));
    let copy = original.replacen(number.0, number.1, 1);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    let lines: String = [
        ("original", original, "2025-03-01T08:00:00Z"),
        ("copy", &copy, "2025-03-01T10:00:00Z"),
        ("other", other, "2025-03-02T08:00:00Z"),
    ]
    .iter()
    .map(|(id, text, date)| {
        serde_json::json!({"id": id, "text": text, "date": date}).to_string() + "\n"
    })
    .collect();
    std::fs::write(&input, lines).unwrap();
    crate::support::scan_docs(&[&input], &[])
}

fn check(language: &str, docs: &[Value]) {
    let status: Vec<&str> = docs.iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["original", "duplicate", "unique"], "{language}");
    assert!(
        docs[1]["similarity"].as_f64().unwrap() >= 0.8,
        "{language}: {}",
        docs[1]["similarity"]
    );
    for doc in docs {
        assert_eq!(doc["tokens"], "characters", "{language}");
        let flags = &doc["quality"]["flags"];
        assert!(
            !flags
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "thin_content"),
            "{language}: {}",
            doc["quality"]
        );
        assert!(
            doc["quality"]["score"].as_f64().unwrap() >= 0.5,
            "{language}: {}",
            doc["quality"]
        );
    }
}

#[test]
fn chinese_copies_are_found_and_articles_are_not_thin() {
    check("Chinese", &scan_three(CHINESE, ("28", "29"), CHINESE_OTHER));
}

#[test]
fn japanese_copies_are_found_and_articles_are_not_thin() {
    check(
        "Japanese",
        &scan_three(JAPANESE, ("180", "200"), JAPANESE_OTHER),
    );
}

#[test]
fn thai_copies_are_found_and_articles_are_not_thin() {
    check("Thai", &scan_three(THAI, ("15", "16"), THAI_OTHER));
}

#[test]
fn the_summary_says_which_documents_were_shingled_by_character() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    let lines: String = [("zh", CHINESE), ("ja", JAPANESE)]
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string() + "\n")
        .collect();
    std::fs::write(&input, lines).unwrap();
    let output = reprint().arg("scan").arg(&input).output().unwrap();
    let summary = String::from_utf8(output.stdout).unwrap();
    assert!(
        summary.contains("2 documents are written (wholly or partly) in scripts without spaces"),
        "{summary}"
    );
}
