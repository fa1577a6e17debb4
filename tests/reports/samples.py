"""Synthetic referral packets in every shipped language (obviously fake people)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from screening.reports.packet import (
    AppendixEntry,
    Consent,
    Contact,
    Flag,
    Indicator,
    IndicatorDomain,
    InstrumentInfo,
    Interview,
    Person,
    Referral,
    ReferralPacket,
    Result,
)

# language -> (question, yes, free-text sentence with a number, fake name, label of "refer")
TEXTS: dict[str, dict[str, str]] = {
    "en": dict(
        q="Did your employer keep your identity documents?",
        yes="Yes",
        story="I worked 14 hours a day since 2023.",
        name="Zyxa Testperson",
        outcome="Indicators present: refer for assessment",
    ),
    "es": dict(
        q="¿Su empleador se quedó con sus documentos de identidad?",
        yes="Sí",
        story="Trabajé 14 horas al día desde 2023.",
        name="Zyxa Pruebaperson",
        outcome="Hay indicadores: derivar para evaluación",
    ),
    "fr": dict(
        q="Votre employeur a-t-il gardé vos papiers d'identité ?",
        yes="Oui",
        story="J'ai travaillé 14 heures par jour depuis 2023.",
        name="Zyxa Testpersonne",
        outcome="Indicateurs présents : orienter pour évaluation",
    ),
    "pt": dict(
        q="O seu empregador ficou com os seus documentos de identidade?",
        yes="Sim",
        story="Trabalhei 14 horas por dia desde 2023.",
        name="Zyxa Testepessoa",
        outcome="Indicadores presentes: encaminhar para avaliação",
    ),
    "tl": dict(
        q="Kinuha ba ng iyong amo ang iyong mga dokumento ng pagkakakilanlan?",
        yes="Oo",
        story="Nagtrabaho ako ng 14 na oras bawat araw mula 2023.",
        name="Zyxa Pagsubok",
        outcome="May mga palatandaan: i-refer para sa pagtatasa",
    ),
    "vi": dict(
        q="Chủ lao động có giữ giấy tờ tùy thân của bạn không?",
        yes="Có",
        story="Tôi làm việc 14 giờ mỗi ngày từ năm 2023.",
        name="Thử Nghiệm Zyxa",
        outcome="Có dấu hiệu: chuyển để đánh giá",
    ),
    "ru": dict(
        q="Работодатель забрал ваши документы, удостоверяющие личность?",
        yes="Да",
        story="Я работал по 14 часов в день с 2023 года.",
        name="Зикса Тестова",
        outcome="Есть признаки: направить на оценку",
    ),
    "ar": dict(
        q="هل احتفظ صاحب العمل بوثائق هويتك؟",
        yes="نعم",
        story="عملت 14 ساعة في اليوم منذ 2023.",
        name="سلمى الاختبارية",
        outcome="توجد مؤشرات: إحالة للتقييم",
    ),
    "fa": dict(
        q="آیا کارفرما مدارک هویتی شما را نگه داشت؟",
        yes="بله",
        story="از 2023 روزی 14 ساعت کار کردم.",
        name="زیکسا آزمایشی",
        outcome="نشانه‌ها وجود دارد: ارجاع برای ارزیابی",
    ),
    "ur": dict(
        q="کیا آپ کے آجر نے آپ کے شناختی دستاویزات رکھ لیے؟",
        yes="ہاں",
        story="میں نے 2023 سے روزانہ 14 گھنٹے کام کیا۔",
        name="زیکسا آزمائشی",
        outcome="علامات موجود ہیں: جائزے کے لیے بھیجیں",
    ),
    "zh_Hans": dict(
        q="您的雇主是否扣留了您的身份证件？",
        yes="是",
        story="从2023年起我每天工作14小时。",
        name="测试者甲",
        outcome="存在指标：转介评估",
    ),
    "hi": dict(
        q="क्या आपके नियोक्ता ने आपके पहचान दस्तावेज़ रख लिए?",
        yes="हाँ",
        story="मैंने 2023 से हर दिन 14 घंटे काम किया।",
        name="परीक्षा नामिका",
        outcome="संकेतक मौजूद हैं: मूल्यांकन के लिए भेजें",
    ),
}
LANGUAGES = tuple(TEXTS)
TZ = "America/New_York"
WHEN = datetime(2025, 3, 14, 15, 9, tzinfo=UTC)


def appendix(
    report: str, asked: str, *, notes: bool = True, extra: int = 0
) -> tuple[AppendixEntry, ...]:
    r, a = TEXTS[report], TEXTS[asked]
    differ = report != asked
    entries = [
        AppendixEntry(
            item_id="docs_kept",
            number="1.1",
            item_type="yes_no",
            asked_language=asked,
            question_asked=a["q"],
            question_report=r["q"] if differ else None,
            status="answered",
            answer_asked=(a["yes"],),
            answer_report=(r["yes"],) if differ else None,
            officer_note="Passport seen at the employer's office." if notes else None,
        ),
        AppendixEntry(
            item_id="hours",
            number="1.2",
            item_type="integer",
            asked_language=asked,
            question_asked="Hours worked per day?",
            status="answered",
            answer_asked=(14,),
        ),
        AppendixEntry(
            item_id="story",
            number="1.3",
            item_type="text",
            asked_language=asked,
            question_asked="In your own words, what happened?",
            status="answered",
            answer_asked=(a["story"],),
        ),
        AppendixEntry(
            item_id="debt",
            number="1.4",
            item_type="yes_no",
            asked_language=asked,
            question_asked="Do you owe money to your employer or recruiter?",
            status="refused",
        ),
        AppendixEntry(
            item_id="locked",
            number="1.5",
            item_type="yes_no",
            asked_language=asked,
            question_asked="Were you locked in?",
            status="dont_know",
        ),
    ]
    for i in range(extra):
        entries.append(
            AppendixEntry(
                item_id=f"extra_{i}",
                number=f"2.{i + 1}",
                item_type="single_choice",
                asked_language=asked,
                question_asked=f"Synthetic question {i + 1}: " + a["q"],
                question_report=(f"Synthetic question {i + 1}: " + r["q"]) if differ else None,
                status="answered",
                answer_asked=(a["yes"],),
                answer_report=(r["yes"],) if differ else None,
            )
        )
    return tuple(entries)


def make_packet(
    report: str = "en",
    asked: str | None = None,
    *,
    redacted: bool = False,
    extra_items: int = 0,
    **overrides: Any,
) -> ReferralPacket:
    asked = asked or report
    r, a = TEXTS[report], TEXTS[asked]
    packet = ReferralPacket(
        document_id="FS-2025-0001-TEST",
        generated_at=WHEN,
        time_zone=TZ,
        report_language=report,
        case_reference="CASE-2025-17",
        interview=Interview(
            started_at=datetime(2025, 3, 14, 13, 30, tzinfo=UTC),
            location="Field office 3 (synthetic)",
            officer_name="Officer Example Qv",
            agency="Example Agency (synthetic)",
            interpreter_used=asked != "en",
            interpreter_language=asked if asked != "en" else None,
            respondent_language=asked,
            officer_language="en",
        ),
        person=Person(
            name=a["name"],
            date_of_birth=date(1999, 2, 3),
            gender="female",
            nationality="Testland",
            languages=(asked, "en"),
            contact="+1 555 0100",
        ),
        consent=Consent(
            shared_items=("screening result", "answers"),
            recipients=("NHTH hotline",),
            given_at=datetime(2025, 3, 14, 13, 35, tzinfo=UTC),
            recorded_how="verbal, read aloud by the interpreter",
        ),
        instrument=InstrumentInfo(
            instrument_id="adult_indicators",
            version="0.3",
            title="Adult indicator screen",
            validation_status="draft",
            content_hash="sha256:" + "ab" * 32,
            interview_language_status="source" if asked == "en" else "machine",
            report_language_status="source" if report == "en" else "reviewed",
            validation_note="Own wording; not a validated tool.",
        ),
        result=Result(
            level="refer_urgent",
            label=r["outcome"],
            domains=(
                IndicatorDomain(
                    "control",
                    "Control of documents",
                    (
                        Indicator(
                            "ind_docs",
                            "Identity documents kept by employer",
                            "strong",
                            ("docs_kept",),
                        ),
                        Indicator(
                            "ind_hours", "Excessive working hours", "medium", ("hours", "story")
                        ),
                    ),
                ),
            ),
            flags=(
                Flag(
                    "danger",
                    "immediate_danger",
                    "Says she cannot go back safely",
                    "Arrange safe accommodation today.",
                    ("docs_kept",),
                ),
                Flag("medical", "medical", "Untreated injury", "", ()),
            ),
            unanswered_core=("debt",),
        ),
        referrals=(
            Referral(
                "us-nhth",
                "National Human Trafficking Hotline",
                "hotline",
                (
                    Contact("phone", "1-888-373-7888"),
                    Contact("text", "233733"),
                    Contact("relay", "711"),
                ),
                ("en", "es", "200+ via interpreters"),
                "Immediate danger; 24/7 support",
                "24/7",
            ),
            Referral(
                "us-example-shelter",
                "Example shelter (replace with a local service)",
                "shelter",
                (Contact("phone", "+1 555 0199"),),
                ("en",),
                "Housing",
                example=True,
            ),
        ),
        appendix=appendix(report, asked, extra=extra_items),
        narrative="Met at the bus station. " + a["story"],
    )
    if overrides:
        packet = replace(packet, **overrides)
    return packet.redacted_copy() if redacted else packet
