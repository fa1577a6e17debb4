"""Synthetic data for the screenshot walk-through: a demonstration questionnaire covering every
screen the reviewers need (choice, number with a limit, text, date, multiple choice, urgent
flag, observation), made-up cases and a made-up referral directory. No real person, place or
service appears here; the questionnaire says it is not for real interviews.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from screening.instruments import LoadResult, load_instrument_text
from screening.store import PersonInfo
from screening.workspace import Workspace

DEMO_ID = "fieldscreen_demo"
LANGS = ("en", "ar", "ru", "zh_Hans", "es")


def T(en: str, ar: str, ru: str, zh: str, es: str) -> dict[str, str]:
    return dict(zip(LANGS, (en, ar, ru, zh, es), strict=True))


YES_NO = [
    {"name": "yes", "label": T("Yes", "نعم", "Да", "是", "Sí")},
    {"name": "no", "label": T("No", "لا", "Нет", "否", "No")},
]
WORK = [
    ("domestic", T("Work in a private home", "عمل في منزل خاص", "Работа в частном доме",
                   "在私人住宅工作", "Trabajo en una casa particular")),
    ("farm", T("Farm work", "عمل في مزرعة", "Работа на ферме", "农场工作", "Trabajo en el campo")),
    ("factory", T("Factory work", "عمل في مصنع", "Работа на фабрике", "工厂工作",
                  "Trabajo en una fábrica")),
    ("other", T("Other work", "عمل آخر", "Другая работа", "其他工作", "Otro trabajo")),
]
NEEDS = [
    ("medical", T("Medical care", "رعاية طبية", "Медицинская помощь", "医疗", "Atención médica")),
    ("shelter", T("A safe place to sleep", "مكان آمن للنوم", "Безопасное место для ночлега",
                  "安全的过夜地点", "Un lugar seguro para dormir")),
    ("legal", T("Legal advice", "مشورة قانونية", "Юридическая консультация", "法律咨询",
                "Asesoría legal")),
    ("interpreter", T("An interpreter", "مترجم", "Переводчик", "口译员", "Un intérprete")),
]


def _item(name: str, kind: str, text: dict[str, str], **extra: object) -> dict[str, object]:
    return {"name": name, "type": kind, "text": text, **extra}


def demo_instrument() -> dict[str, object]:
    machine = "Machine translation for the demonstration; not reviewed."
    return {
        "format": "fieldscreen-instrument/1",
        "id": DEMO_ID,
        "version": "0.1",
        "title": T("FieldScreen demonstration (not for real interviews)",
                   "استبيان تجريبي لـ FieldScreen (ليس للمقابلات الحقيقية)",
                   "Демонстрационная анкета FieldScreen (не для настоящих бесед)",
                   "FieldScreen 演示问卷（不用于真实面谈）",
                   "Demostración de FieldScreen (no para entrevistas reales)"),
        "population": "any",
        "typical_minutes": 5,
        "purpose": T("Shows every kind of question for training and translation review. The "
                     "questions are made up.",
                     "يعرض كل نوع من الأسئلة لأغراض التدريب ومراجعة الترجمة. الأسئلة مختلقة.",
                     "Показывает все типы вопросов для обучения и проверки перевода. Вопросы "
                     "вымышленные.",
                     "展示每种问题类型，供培训和审校翻译使用。问题均为虚构。",
                     "Muestra cada tipo de pregunta para formación y revisión de traducciones. "
                     "Las preguntas son inventadas."),
        "provenance": {"source_framework": "none (demonstration)", "citation": "none",
                       "authored_by": "FieldScreen project",
                       "wording": "made-up wording for demonstrations"},
        "validation": {"status": "draft"},
        "source_language": "en",
        "languages": {
            "en": {"name": "English", "status": "source"},
            "ar": {"name": "العربية", "status": "machine", "note": machine},
            "ru": {"name": "Русский", "status": "machine", "note": machine},
            "zh_Hans": {"name": "简体中文", "status": "machine", "note": machine},
            "es": {"name": "Español", "status": "machine", "note": machine},
        },
        "consent": T(
            "This is a demonstration questionnaire with made-up questions. Your answers are "
            "used for training only. You can skip any question and stop at any time.",
            "هذا استبيان تجريبي بأسئلة مختلقة. لن تُستخدم إجاباتك إلا للتدريب. يمكنك تخطي أي "
            "سؤال والتوقف في أي وقت.",
            "Это демонстрационная анкета с вымышленными вопросами. Ваши ответы используются "
            "только для обучения. Вы можете пропустить любой вопрос и остановиться в любой "
            "момент.",
            "这是一份使用虚构问题的演示问卷。您的回答仅用于培训。您可以跳过任何问题，也可以随时停止。",
            "Este es un cuestionario de demostración con preguntas inventadas. Sus respuestas "
            "solo se usan para formación. Puede saltarse cualquier pregunta y parar en "
            "cualquier momento."),
        "choice_lists": {
            "yes_no": YES_NO,
            "work": [{"name": n, "label": t} for n, t in WORK],
            "needs": [{"name": n, "label": t} for n, t in NEEDS],
        },
        "sections": [
            {"name": "work", "title": T("Your work", "عملك", "Ваша работа", "您的工作",
                                        "Su trabajo"),
             "items": [
                 _item("intro", "note", T(
                     "This is a demonstration with made-up questions. It is not for real "
                     "interviews.",
                     "هذا عرض تجريبي بأسئلة مختلقة. ليس للمقابلات الحقيقية.",
                     "Это демонстрация с вымышленными вопросами. Она не для настоящих бесед.",
                     "这是使用虚构问题的演示，不用于真实面谈。",
                     "Esta es una demostración con preguntas inventadas. No es para "
                     "entrevistas reales.")),
                 _item("work_type", "single_choice", T(
                     "What kind of work do you do?", "ما نوع العمل الذي تقوم به؟",
                     "Какую работу вы выполняете?", "您做什么样的工作？",
                     "¿Qué tipo de trabajo hace?"), choices="work", guidance=T(
                     "Let the person answer in their own words, then pick the closest option.",
                     "دع الشخص يجيب بكلماته الخاصة، ثم اختر أقرب خيار.",
                     "Дайте человеку ответить своими словами и выберите ближайший вариант.",
                     "请对方用自己的话回答，然后选择最接近的选项。",
                     "Deje que la persona responda con sus palabras y elija la opción más "
                     "cercana.")),
                 _item("hours", "integer", T(
                     "On a usual day, how many hours do you work?",
                     "في يوم عادي، كم ساعة تعمل؟",
                     "Сколько часов вы работаете в обычный день?",
                     "平常一天您工作多少小时？",
                     "En un día normal, ¿cuántas horas trabaja?"),
                     constraint=". >= 0 and . <= 24", constraint_message=T(
                     "Enter a number of hours between 0 and 24.",
                     "أدخل عدد ساعات بين 0 و24.", "Введите число часов от 0 до 24.",
                     "请输入0到24之间的小时数。",
                     "Escriba un número de horas entre 0 y 24.")),
                 _item("work_story", "text", T(
                     "In your own words, what is a usual working day like?",
                     "صف بكلماتك يوم عمل عادي.",
                     "Опишите своими словами обычный рабочий день.",
                     "请用您自己的话描述平常的一个工作日。",
                     "Con sus propias palabras, ¿cómo es un día de trabajo normal?"), hint=T(
                     "Write what the person says, in their words.",
                     "اكتب ما يقوله الشخص بكلماته.", "Запишите слова человека как есть.",
                     "按对方的原话记录。", "Escriba lo que dice la persona, con sus palabras.")),
                 _item("arrival", "date", T(
                     "When did you arrive in this country?", "متى وصلت إلى هذا البلد؟",
                     "Когда вы приехали в эту страну?", "您是什么时候来到这个国家的？",
                     "¿Cuándo llegó a este país?")),
                 _item("needs", "multiple_choice", T(
                     "What would help you most right now?", "ما الذي يساعدك أكثر الآن؟",
                     "Что помогло бы вам больше всего сейчас?", "现在什么对您帮助最大？",
                     "¿Qué le ayudaría más ahora mismo?"), choices="needs"),
             ]},
            {"name": "safety", "title": T("Safety", "السلامة", "Безопасность", "安全",
                                          "Seguridad"),
             "items": [_item("danger_now", "yes_no", T(
                 "Are you afraid for your safety right now?", "هل تخاف على سلامتك الآن؟",
                 "Вы боитесь за свою безопасность прямо сейчас?", "您现在是否担心自己的安全？",
                 "¿Tiene miedo por su seguridad en este momento?"))]},
            {"name": "observations", "title": T("What you observe", "ملاحظات الموظف",
                                                "Наблюдения сотрудника", "工作人员观察",
                                                "Lo que usted observa"),
             "items": [_item("obs_fearful", "observation", T(
                 "Does the person seem afraid of someone nearby?",
                 "هل يبدو الشخص خائفاً من أحد قريب منه؟",
                 "Похоже ли, что человек боится кого-то рядом?",
                 "此人是否看起来害怕附近的某人？",
                 "¿Parece que la persona tiene miedo de alguien cercano?"), guidance=T(
                 "Answer from what you see; never ask this aloud.",
                 "أجب مما تراه؛ لا تطرح هذا السؤال بصوت عالٍ أبداً.",
                 "Отвечайте по тому, что видите; не задавайте этот вопрос вслух.",
                 "根据您看到的情况回答；切勿大声提问。",
                 "Responda según lo que observa; nunca lo pregunte en voz alta."))]},
        ],
        "domains": [
            {"name": "labour", "label": T("Work", "العمل", "Труд", "劳动", "Trabajo")},
            {"name": "control", "label": T("Control", "السيطرة", "Контроль", "控制", "Control")},
        ],
        "indicators": [
            {"name": "long_hours", "domain": "labour", "when": "${hours} > 12",
             "label": T("Very long working hours", "ساعات عمل طويلة جداً",
                        "Очень долгий рабочий день", "工作时间非常长", "Jornadas muy largas")},
            {"name": "fear", "domain": "control", "when": "${obs_fearful} = 'yes'",
             "label": T("Seems afraid of someone", "يبدو خائفاً من شخص ما",
                        "Кажется, боится кого-то", "似乎害怕某人",
                        "Parece tener miedo de alguien")},
        ],
        "flags": [
            {"name": "danger", "kind": "immediate_danger", "when": "${danger_now} = 'yes'",
             "label": T("In danger now", "في خطر الآن", "В опасности сейчас", "现在有危险",
                        "En peligro ahora"),
             "message": T("Move the person to a safe place and call for help before going on.",
                          "انقل الشخص إلى مكان آمن واطلب المساعدة قبل المتابعة.",
                          "Переведите человека в безопасное место и вызовите помощь, прежде "
                          "чем продолжать.",
                          "在继续之前，先把此人转移到安全的地方并求助。",
                          "Lleve a la persona a un lugar seguro y pida ayuda antes de "
                          "continuar.")},
        ],
        "outcome": {"rule": "any", "labels": {
            "refer_urgent": T("Urgent need: act now, then refer for a full assessment (demo).",
                              "احتياج عاجل: تصرّف الآن ثم أحِل لتقييم كامل (تجريبي).",
                              "Срочная потребность: действуйте сейчас, затем направьте на "
                              "полную оценку (демо).",
                              "紧急需求：立即处理，然后转介进行全面评估（演示）。",
                              "Necesidad urgente: actúe ahora y derive para una evaluación "
                              "completa (demo)."),
            "refer": T("Indicators present: refer for a full assessment (demo).",
                       "توجد مؤشرات: أحِل لتقييم كامل (تجريبي).",
                       "Есть признаки: направьте на полную оценку (демо).",
                       "存在指标：转介进行全面评估（演示）。",
                       "Hay indicadores: derive para una evaluación completa (demo)."),
            "incomplete": T("Incomplete: key questions have no answer (demo).",
                            "غير مكتمل: أسئلة رئيسية بلا إجابة (تجريبي).",
                            "Не завершено: на ключевые вопросы нет ответа (демо).",
                            "未完成：关键问题没有回答（演示）。",
                            "Incompleto: preguntas clave sin respuesta (demo)."),
            "no_indicators": T("No indicators in these answers (demo).",
                               "لا مؤشرات في هذه الإجابات (تجريبي).",
                               "В этих ответах признаков нет (демо).",
                               "这些回答中没有指标（演示）。",
                               "No hay indicadores en estas respuestas (demo)."),
        }},
    }


def demo_instrument_text() -> str:
    text = "# Demonstration questionnaire: made-up questions, not for real interviews.\n"
    return text + yaml.safe_dump(demo_instrument(), sort_keys=False, allow_unicode=True,
                                 width=100)


def write_demo_instrument(folder: Path) -> Path:
    """The questionnaire as a file to import (tests of Settings > Import). Never write it into
    a data folder: installed instruments live in the encrypted store
    (``install_demo_instrument``)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{DEMO_ID}-0.1.yaml"
    path.write_text(demo_instrument_text(), encoding="utf-8")
    return path


def install_demo_instrument(workspace: Workspace) -> LoadResult:
    """Install the questionnaire in the workspace's catalog (inside the encrypted store)."""
    loaded = load_instrument_text(demo_instrument_text(), f"{DEMO_ID}-0.1.yaml")
    return workspace.catalog.install(loaded, f"{DEMO_ID}-0.1.yaml").result


# Obviously made-up people: names from several scripts so search and layout are exercised.
DEMO_NAMES = (
    "Ana María González", "Грета Иванова", "李小梅", "فاطمة الزهراء", "Nguyễn Thị Lan",
    "Jean-Baptiste Moreau", "Maria Tereza Souza", "Amira Haddad", "Olena Kovalenko",
    "Rosa Quispe Mamani", "王建国", "Samuel Okafor",
)
# Made-up answers to the demonstration questionnaire.
DEMO_ANSWERS: tuple[dict[str, object], ...] = (
    {"work_type": "farm", "hours": 14, "arrival": "2025-11-02", "needs": ["shelter", "legal"],
     "danger_now": "no", "obs_fearful": "yes"},
    {"work_type": "domestic", "hours": 9, "needs": ["medical"], "danger_now": "no",
     "obs_fearful": "no"},
    {"work_type": "factory", "hours": 12},
)


def seed_cases(workspace: Workspace, count: int = 12, seed: int = 7) -> list[str]:
    """Made-up cases, made as the app and ``fieldscreen interview`` make them: consent first
    (through the core), then the person's details, then the answers; every other interview
    is left in progress."""
    from screening.casework.consent import Consent
    from screening.casework.lifecycle import InterviewSetup, Started

    rng = random.Random(seed)
    loaded = install_demo_instrument(workspace)
    casework = workspace.casework
    ids = []
    for i in range(count):
        person = PersonInfo(name=DEMO_NAMES[i % len(DEMO_NAMES)],
                            date_of_birth=f"{rng.randint(1970, 2004)}", nationality="(demo)")
        lang = LANGS[i % len(LANGS)]
        started = casework.start(
            InterviewSetup(loaded, respondent_language=lang, officer_language="en",
                           interpreter_used=lang != "en", private_setting=True),
            Consent(given=True, scope=("screening", "referral"), language=lang,
                    confidentiality_explained=True),
            person=person)
        assert isinstance(started, Started)
        run = casework.open(started.interview_id)
        answers = DEMO_ANSWERS[i % len(DEMO_ANSWERS)]
        if i % 2 == 0:
            run.replay(answers)
            run.finish()
        else:  # in progress: the first answers only
            run.replay(dict(list(answers.items())[:2]))
        ids.append(started.case_id)
    return ids
