"""A stand-in Arabic catalog for the report's own strings (translations/ar does not exist
yet), so right-to-left pages can be checked as an Arabic reader would see them."""

from __future__ import annotations

import gettext

AR = {
    "Referral packet": "ملف الإحالة",
    "CONFIDENTIAL — sensitive personal data. Share only with the services named in this "
    "packet, and only as the person agreed.": (
        "سري — بيانات شخصية حساسة. لا تشاركها إلا مع الجهات المذكورة في هذا الملف، "
        "وبالقدر الذي وافق عليه الشخص فقط."
    ),
    "Case reference": "مرجع الحالة",
    "Document ID": "رقم المستند",
    "Generated": "تاريخ الإنشاء",
    "URGENT": "عاجل",
    "Other flags": "تنبيهات أخرى",
    "Immediate danger": "خطر فوري",
    "Medical need": "حاجة طبية",
    "Answers to questions: ": "الإجابات على الأسئلة: ",
    "Screening result": "نتيجة الفحص",
    "This is the result of a screening, not a determination. It does not establish whether "
    "this person is or is not a victim of trafficking; it shows whether a specialised "
    "assessment is recommended.": (
        "هذه نتيجة فحص أولي وليست قرارًا. لا تثبت ما إذا كان هذا الشخص ضحية للاتجار بالبشر "
        "أم لا؛ بل تبين ما إذا كان يوصى بتقييم متخصص."
    ),
    "Core questions without an answer: ": "أسئلة أساسية بلا إجابة: ",
    "Indicators present": "المؤشرات الموجودة",
    "Referrals": "الإحالات",
    "Call": "اتصال",
    "Text": "رسالة نصية",
    "TTY/relay": "الهاتف النصي",
    "Web": "الموقع",
    "Languages": "اللغات",
    "Hours": "ساعات العمل",
    "Why referred": "سبب الإحالة",
    "Hotline": "خط ساخن",
    "Shelter": "مأوى",
    "Example entry from the sample directory: replace it with a local service before "
    "relying on it.": "مثال من الدليل النموذجي: استبدله بخدمة محلية قبل الاعتماد عليه.",
    "Person": "الشخص",
    "Name": "الاسم",
    "Date of birth": "تاريخ الميلاد",
    "Age": "العمر",
    "Gender": "الجنس",
    "Nationality": "الجنسية",
    "Contact": "وسيلة الاتصال",
    "Interview": "المقابلة",
    "Started": "البداية",
    "Location": "المكان",
    "Officer": "الموظف",
    "Agency": "الجهة",
    "Interpreter": "مترجم فوري",
    "Yes": "نعم",
    "No": "لا",
    "Respondent's language": "لغة الشخص",
    "Officer's language": "لغة الموظف",
    "Consent": "الموافقة",
    "Agreed to share": "وافق على مشاركة",
    "With": "مع",
    "When": "متى",
    "How it was recorded": "طريقة التسجيل",
    "Questionnaire used": "الاستبيان المستخدم",
    "Questionnaire": "الاستبيان",
    "ID and version": "المعرّف والإصدار",
    "Validation": "التحقق",
    "Interview language": "لغة المقابلة",
    "Report language": "لغة التقرير",
    "Content hash": "بصمة المحتوى",
    "Officer's notes": "ملاحظات الموظف",
    "Appendix: questions asked": "ملحق: الأسئلة المطروحة",
    "Every question asked, in the order asked, in the language it was asked in and in this "
    "report's language. Questions skipped by the questionnaire's logic are not listed.": (
        "كل سؤال طُرح، بترتيب طرحه، باللغة التي طُرح بها وبلغة هذا التقرير. الأسئلة التي "
        "تخطاها منطق الاستبيان غير مدرجة."
    ),
    "Answer: ": "الإجابة: ",
    "Declined to answer": "رفض الإجابة",
    "Don't know": "لا يعرف",
    "Officer's note: ": "ملاحظة الموظف: ",
    "Page {page} of {pages}": "صفحة {page} من {pages}",
    "Document {id}": "المستند {id}",
    "Packet SHA-256: ": "بصمة SHA-256 للملف: ",
    "Translation warning": "تحذير بشأن الترجمة",
    "strong": "قوي",
    "medium": "متوسط",
    "Withheld in this redacted copy": "محجوب في هذه النسخة المنقحة",
    "not validated": "غير مُتحقق منه",
    "source language": "اللغة المصدر",
    "reviewed translation": "ترجمة مراجعة",
    "machine translation, not reviewed": "ترجمة آلية غير مراجعة",
    "FieldScreen referral packet": "ملف إحالة FieldScreen",
}


class FakeCatalog(gettext.NullTranslations):
    def __init__(self, table: dict[str, str]) -> None:
        super().__init__()
        self.table = table

    def gettext(self, message: str) -> str:
        return self.table.get(message, message)


def install(monkeypatch, lang: str = "ar", table: dict[str, str] | None = None) -> None:
    from screening.i18n import catalogs

    real = catalogs._load

    def fake(code: str) -> gettext.NullTranslations:
        return FakeCatalog(table or AR) if code == lang else real(code)

    monkeypatch.setattr(catalogs, "_load", fake)
