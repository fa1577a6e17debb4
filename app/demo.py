"""Synthetic data for the screenshot walk-through: a demonstration questionnaire covering every
screen the reviewers need (choice, a list of 30 options, number with a limit, text, date,
multiple choice, a repeat for each child, urgent flag, observation, a section held back while
a companion is in the room), made-up cases and a made-up referral directory. No real person,
place or service appears here; the questionnaire says it is not for real interviews.

The extra screens are follow-ups, so the main path stays intro, work type, hours, story,
arrival, needs, danger, observation: the 30-option list is asked after "Other work", the
children's section when "Help for my children" is among the needs.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from app.demo_translations import MORE, MORE_LANGS
from screening.instruments import LoadResult, load_instrument_text
from screening.store import PersonInfo
from screening.workspace import Workspace

DEMO_ID = "fieldscreen_demo"
LANGS = ("en", "ar", "ru", "zh_Hans", "es")  # the order of ``T``'s arguments
ALL_LANGS = LANGS + MORE_LANGS  # every UI language (the other four: ``demo_translations``)
LANGUAGE_NAMES = {"ar": "العربية", "ru": "Русский", "zh_Hans": "简体中文", "es": "Español",
                  "fr": "Français", "pt": "Português", "vi": "Tiếng Việt", "tl": "Tagalog"}


def T(en: str, ar: str, ru: str, zh: str, es: str) -> dict[str, str]:
    """A text in every UI language; French, Portuguese, Vietnamese and Tagalog come from
    ``demo_translations.MORE`` (a KeyError names an English text that has none yet)."""
    fr, pt, vi, tl = MORE[en]
    fr = fr.replace(" ?", "\u00a0?").replace(" :", "\u00a0:").replace(" ;", "\u00a0;")
    return dict(zip(ALL_LANGS, (en, ar, ru, zh, es, fr, pt, vi, tl), strict=True))


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
    ("children", T("Help for my children", "مساعدة لأطفالي", "Помощь моим детям",
                   "对我孩子的帮助", "Ayuda para mis hijos")),
]
# After "Other work": 30 options (long lists get a filter and two-digit keys). Made-up list.
WORK_KINDS = [
    (name, T(*labels)) for name, *labels in (
        ("fishing", "Fishing or work on a boat", "صيد السمك أو العمل على قارب",
         "Рыболовство или работа на судне", "捕鱼或在船上工作", "Pesca o trabajo en un barco"),
        ("building", "Building sites", "مواقع البناء", "Стройка", "建筑工地",
         "Obras de construcción"),
        ("roads", "Road works", "أعمال الطرق", "Дорожные работы", "道路施工",
         "Obras en carreteras"),
        ("mining", "Mining or quarries", "التعدين أو المحاجر", "Шахта или карьер", "采矿或采石场",
         "Minería o canteras"),
        ("forestry", "Forestry or logging", "الغابات أو قطع الأشجار", "Лесозаготовки",
         "林业或伐木", "Trabajo forestal o tala"),
        ("cleaning_homes", "Cleaning homes", "تنظيف المنازل", "Уборка в домах", "清洁住宅",
         "Limpieza de casas"),
        ("cleaning_offices", "Cleaning offices or shops", "تنظيف المكاتب أو المحلات",
         "Уборка в офисах или магазинах", "清洁办公室或商店", "Limpieza de oficinas o tiendas"),
        ("hotel", "Hotel work", "عمل في فندق", "Работа в гостинице", "酒店工作",
         "Trabajo en un hotel"),
        ("restaurant", "Restaurant or kitchen", "مطعم أو مطبخ", "Ресторан или кухня",
         "餐馆或厨房", "Restaurante o cocina"),
        ("childcare", "Looking after children", "رعاية الأطفال", "Уход за детьми", "照顾儿童",
         "Cuidado de niños"),
        ("eldercare", "Looking after older or sick people", "رعاية كبار السن أو المرضى",
         "Уход за пожилыми или больными", "照顾老人或病人",
         "Cuidado de personas mayores o enfermas"),
        ("street_selling", "Selling in the street", "البيع في الشارع", "Продажа на улице",
         "街头销售", "Venta en la calle"),
        ("market", "Selling at a market", "البيع في سوق", "Продажа на рынке", "市场销售",
         "Venta en un mercado"),
        ("shop", "Selling in a shop", "البيع في متجر", "Продажа в магазине", "商店销售",
         "Venta en una tienda"),
        ("begging", "Begging", "التسول", "Попрошайничество", "乞讨", "Mendicidad"),
        ("car_wash", "Car washing", "غسيل السيارات", "Мойка машин", "洗车", "Lavado de coches"),
        ("salon", "Nail or beauty salon", "صالون أظافر أو تجميل",
         "Маникюрный салон или салон красоты", "美甲或美容院", "Salón de uñas o de belleza"),
        ("sewing", "Sewing clothes", "خياطة الملابس", "Пошив одежды", "缝制衣服",
         "Costura de ropa"),
        ("food", "Food packing or processing", "تعبئة الأغذية أو تصنيعها",
         "Упаковка или переработка продуктов", "食品包装或加工",
         "Envasado o procesado de alimentos"),
        ("warehouse", "Warehouse", "مستودع", "Склад", "仓库", "Almacén"),
        ("delivery", "Delivering goods", "توصيل البضائع", "Доставка товаров", "送货",
         "Reparto de mercancías"),
        ("driving", "Driving", "القيادة", "Работа водителем", "驾驶", "Conducción"),
        ("carrying", "Loading and carrying", "التحميل والحمل", "Погрузка и переноска",
         "装卸搬运", "Carga y descarga"),
        ("animals", "Looking after animals", "رعاية الحيوانات", "Уход за животными",
         "照料牲畜", "Cuidado de animales"),
        ("bar", "Bar or nightclub", "حانة أو ملهى ليلي", "Бар или ночной клуб", "酒吧或夜总会",
         "Bar o discoteca"),
        ("massage", "Massage parlour", "صالون تدليك", "Массажный салон", "按摩院",
         "Salón de masajes"),
        ("entertainment", "Dancing or entertainment", "الرقص أو الترفيه",
         "Танцы или развлечения", "跳舞或娱乐", "Baile o espectáculos"),
        ("security", "Security guard", "حارس أمن", "Охранник", "保安", "Vigilancia"),
        ("remote", "Phone or online work", "عمل عبر الهاتف أو الإنترنت",
         "Работа по телефону или в интернете", "电话或网络工作",
         "Trabajo por teléfono o internet"),
        ("something_else", "Something else", "شيء آخر", "Что-то другое", "其他", "Otra cosa"),
    )
]
# Typed into the filter of the 30-option list in the walk-through, per respondent language:
# each finds the three "Selling…" options.
WORK_KINDS_FILTER = {"en": "sell", "ar": "البيع", "ru": "продаж", "zh_Hans": "销售",
                     "es": "venta", "fr": "vente", "pt": "venda", "vi": "bán",
                     "tl": "pagtitinda"}


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
            **{code: {"name": name, "status": "machine", "note": machine}
               for code, name in LANGUAGE_NAMES.items()},
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
            "work_kinds": [{"name": n, "label": t} for n, t in WORK_KINDS],
        },
        "sections": [
            # Held back while someone who came with the person is in the room (discreet
            # mode): what the person does for work may be about the companion.
            {"name": "work", "title": T("Your work", "عملك", "Ваша работа", "您的工作",
                                        "Su trabajo"),
             "sensitive": True,
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
                 _item("work_kind", "single_choice", T(
                     "Which of these is closest to your work?",
                     "أيّ من هذه هو الأقرب إلى عملك؟",
                     "Что из этого ближе всего к вашей работе?",
                     "以下哪一项最接近您的工作？",
                     "¿Cuál de estos se parece más a su trabajo?"), choices="work_kinds",
                     relevant="${work_type} = 'other'"),
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
                     "Con sus propias palabras, ¿cómo es un día de trabajo normal?"),
                     # the hint is for the person (the respondent view shows it), the
                     # guidance for the officer only
                     hint=T("Take your time. There is no right or wrong answer.",
                            "خذ وقتك. لا توجد إجابة صحيحة أو خاطئة.",
                            "Не торопитесь. Здесь нет правильных или неправильных ответов.",
                            "慢慢来，答案没有对错之分。",
                            "Tómese su tiempo. No hay respuestas correctas ni incorrectas."),
                     guidance=T("Write what the person says, in their words.",
                                "اكتب ما يقوله الشخص بكلماته.",
                                "Запишите слова человека как есть.", "按对方的原话记录。",
                                "Escriba lo que dice la persona, con sus palabras.")),
                 _item("arrival", "date", T(
                     "When did you arrive in this country?", "متى وصلت إلى هذا البلد؟",
                     "Когда вы приехали в эту страну?", "您是什么时候来到这个国家的？",
                     "¿Cuándo llegó a este país?")),
                 _item("needs", "multiple_choice", T(
                     "What would help you most right now?", "ما الذي يساعدك أكثر الآن؟",
                     "Что помогло бы вам больше всего сейчас?", "现在什么对您帮助最大？",
                     "¿Qué le ayudaría más ahora mismo?"), choices="needs"),
             ]},
            {"name": "children", "title": T("Your children", "أطفالك", "Ваши дети", "您的孩子",
                                            "Sus hijos"),
             "relevant": "selected(${needs}, 'children')",
             "items": [
                 _item("n_children", "integer", T(
                     "How many of your children are here with you?",
                     "كم من أطفالك معك هنا؟", "Сколько ваших детей здесь с вами?",
                     "您有几个孩子和您一起在这里？",
                     "¿Cuántos de sus hijos están aquí con usted?"),
                     constraint=". >= 0 and . <= 10", constraint_message=T(
                     "Enter a number between 0 and 10.", "أدخل عدداً بين 0 و10.",
                     "Введите число от 0 до 10.", "请输入0到10之间的数字。",
                     "Escriba un número entre 0 y 10.")),
                 _item("child", "repeat", T("Child", "طفل", "Ребёнок", "孩子", "Hijo o hija"),
                       repeat_count="${n_children}", items=[_item("child_age", "integer", T(
                           "How old is this child?", "كم عمر هذا الطفل؟",
                           "Сколько лет этому ребёнку?", "这个孩子多大了？",
                           "¿Qué edad tiene este hijo o hija?"),
                           constraint=". >= 0 and . <= 25", constraint_message=T(
                           "Enter an age between 0 and 25.", "أدخل عمراً بين 0 و25.",
                           "Введите возраст от 0 до 25.", "请输入0到25之间的年龄。",
                           "Escriba una edad entre 0 y 25."))]),
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
