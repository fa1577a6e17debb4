"""The demonstration questionnaire (``app.demo``) in French, Portuguese, Vietnamese and Tagalog,
so that the screenshot walk in those UI languages shows the officer's side in their language.

Keyed by the English text; values in the order of ``MORE_LANGS``. Machine-quality wording for a
demonstration only (the questionnaire says so); made-up questions, not from any published tool.
"""

from __future__ import annotations

MORE_LANGS = ("fr", "pt", "vi", "tl")

MORE: dict[str, tuple[str, str, str, str]] = {
    "FieldScreen demonstration (not for real interviews)": (
        "Démonstration de FieldScreen (pas pour de vrais entretiens)",
        "Demonstração do FieldScreen (não usar em entrevistas reais)",
        "Bản trình diễn FieldScreen (không dùng cho phỏng vấn thật)",
        "Demonstrasyon ng FieldScreen (hindi para sa totoong panayam)"),
    "Shows every kind of question for training and translation review. The questions are "
    "made up.": (
        "Montre chaque type de question, pour la formation et la relecture des traductions. "
        "Les questions sont inventées.",
        "Mostra cada tipo de pergunta, para treinamento e revisão de traduções. As perguntas "
        "são inventadas.",
        "Trình bày mọi loại câu hỏi để đào tạo và rà soát bản dịch. Các câu hỏi là hư cấu.",
        "Ipinapakita ang bawat uri ng tanong para sa pagsasanay at pagsusuri ng salin. "
        "Gawa-gawa lamang ang mga tanong."),
    "This is a demonstration questionnaire with made-up questions. Your answers are used for "
    "training only. You can skip any question and stop at any time.": (
        "Ceci est un questionnaire de démonstration avec des questions inventées. Vos réponses "
        "servent uniquement à la formation. Vous pouvez passer n'importe quelle question et "
        "arrêter à tout moment.",
        "Este é um questionário de demonstração com perguntas inventadas. Suas respostas são "
        "usadas apenas para treinamento. Você pode pular qualquer pergunta e parar a qualquer "
        "momento.",
        "Đây là bảng hỏi trình diễn với các câu hỏi hư cấu. Câu trả lời của bạn chỉ được dùng "
        "để đào tạo. Bạn có thể bỏ qua bất kỳ câu hỏi nào và dừng lại bất cứ lúc nào.",
        "Isa itong demonstrasyong talatanungan na may gawa-gawang mga tanong. Gagamitin lamang "
        "ang iyong mga sagot para sa pagsasanay. Maaari mong laktawan ang anumang tanong at "
        "huminto anumang oras."),
    "Yes": ("Oui", "Sim", "Có", "Oo"),
    "No": ("Non", "Não", "Không", "Hindi"),
    "Work in a private home": ("Travail dans une maison privée", "Trabalho em casa de família",
                               "Làm việc trong nhà riêng", "Trabaho sa isang pribadong bahay"),
    "Farm work": ("Travail agricole", "Trabalho no campo", "Làm nông", "Trabaho sa bukid"),
    "Factory work": ("Travail en usine", "Trabalho em fábrica", "Làm việc trong nhà máy",
                     "Trabaho sa pabrika"),
    "Other work": ("Autre travail", "Outro trabalho", "Công việc khác", "Ibang trabaho"),
    "Medical care": ("Soins médicaux", "Atendimento médico", "Chăm sóc y tế",
                     "Pangangalagang medikal"),
    "A safe place to sleep": ("Un endroit sûr pour dormir", "Um lugar seguro para dormir",
                              "Một nơi an toàn để ngủ", "Ligtas na lugar na matutulugan"),
    "Legal advice": ("Conseil juridique", "Orientação jurídica", "Tư vấn pháp lý",
                     "Payong legal"),
    "An interpreter": ("Un interprète", "Um intérprete", "Một phiên dịch viên",
                       "Isang interpreter"),
    "Help for my children": ("De l'aide pour mes enfants", "Ajuda para meus filhos",
                             "Giúp đỡ cho con tôi", "Tulong para sa aking mga anak"),
    "Fishing or work on a boat": ("Pêche ou travail sur un bateau",
                                  "Pesca ou trabalho em barco",
                                  "Đánh cá hoặc làm việc trên tàu thuyền",
                                  "Pangingisda o trabaho sa bangka"),
    "Building sites": ("Chantiers de construction", "Obras de construção",
                       "Công trường xây dựng", "Lugar ng konstruksiyon"),
    "Road works": ("Travaux routiers", "Obras em estradas", "Làm đường",
                   "Paggawa ng kalsada"),
    "Mining or quarries": ("Mines ou carrières", "Mineração ou pedreiras",
                           "Khai mỏ hoặc mỏ đá", "Minahan o tibagan"),
    "Forestry or logging": ("Forêt ou abattage du bois",
                            "Trabalho florestal ou corte de madeira",
                            "Lâm nghiệp hoặc khai thác gỗ", "Paggugubat o pagtotroso"),
    "Cleaning homes": ("Ménage chez des particuliers", "Limpeza de casas", "Dọn dẹp nhà ở",
                       "Paglilinis ng mga bahay"),
    "Cleaning offices or shops": ("Nettoyage de bureaux ou de magasins",
                                  "Limpeza de escritórios ou lojas",
                                  "Dọn dẹp văn phòng hoặc cửa hàng",
                                  "Paglilinis ng opisina o tindahan"),
    "Hotel work": ("Travail à l'hôtel", "Trabalho em hotel", "Làm việc ở khách sạn",
                   "Trabaho sa hotel"),
    "Restaurant or kitchen": ("Restaurant ou cuisine", "Restaurante ou cozinha",
                              "Nhà hàng hoặc nhà bếp", "Restawran o kusina"),
    "Looking after children": ("Garde d'enfants", "Cuidar de crianças", "Trông trẻ",
                               "Pag-aalaga ng bata"),
    "Looking after older or sick people": ("Aide aux personnes âgées ou malades",
                                           "Cuidar de idosos ou doentes",
                                           "Chăm sóc người già hoặc người bệnh",
                                           "Pag-aalaga ng matatanda o maysakit"),
    "Selling in the street": ("Vente dans la rue", "Venda na rua", "Bán hàng trên phố",
                              "Pagtitinda sa kalye"),
    "Selling at a market": ("Vente sur un marché", "Venda em feira", "Bán hàng ở chợ",
                            "Pagtitinda sa palengke"),
    "Selling in a shop": ("Vente en magasin", "Venda em loja", "Bán hàng trong cửa hàng",
                          "Pagtitinda sa tindahan"),
    "Begging": ("Mendicité", "Mendicância", "Ăn xin", "Pamamalimos"),
    "Car washing": ("Lavage de voitures", "Lavagem de carros", "Rửa xe",
                    "Paghuhugas ng kotse"),
    "Nail or beauty salon": ("Onglerie ou salon de beauté", "Salão de manicure ou de beleza",
                             "Tiệm làm móng hoặc thẩm mỹ viện", "Nail salon o beauty salon"),
    "Sewing clothes": ("Couture de vêtements", "Costura de roupas", "May quần áo",
                       "Pananahi ng damit"),
    "Food packing or processing": ("Emballage ou transformation alimentaire",
                                   "Embalagem ou processamento de alimentos",
                                   "Đóng gói hoặc chế biến thực phẩm",
                                   "Pag-iimpake o pagpoproseso ng pagkain"),
    "Warehouse": ("Entrepôt", "Armazém", "Nhà kho", "Bodega"),
    "Delivering goods": ("Livraison de marchandises", "Entrega de mercadorias", "Giao hàng",
                         "Paghahatid ng mga produkto"),
    "Driving": ("Conduite", "Motorista", "Lái xe", "Pagmamaneho"),
    "Loading and carrying": ("Chargement et portage", "Carga e descarga", "Bốc vác",
                             "Pagkakarga at pagbubuhat"),
    "Looking after animals": ("Soins aux animaux", "Cuidar de animais", "Chăm sóc gia súc",
                              "Pag-aalaga ng hayop"),
    "Bar or nightclub": ("Bar ou boîte de nuit", "Bar ou boate", "Quán bar hoặc hộp đêm",
                         "Bar o nightclub"),
    "Massage parlour": ("Salon de massage", "Casa de massagem", "Tiệm mát-xa", "Masahehan"),
    "Dancing or entertainment": ("Danse ou spectacle", "Dança ou entretenimento",
                                 "Khiêu vũ hoặc giải trí", "Pagsasayaw o aliwan"),
    "Security guard": ("Agent de sécurité", "Segurança", "Bảo vệ", "Security guard"),
    "Phone or online work": ("Travail au téléphone ou en ligne",
                             "Trabalho por telefone ou internet",
                             "Làm việc qua điện thoại hoặc trực tuyến",
                             "Trabaho sa telepono o online"),
    "Something else": ("Autre chose", "Outra coisa", "Việc khác", "Iba pa"),
    "Your work": ("Votre travail", "Seu trabalho", "Công việc của bạn", "Ang iyong trabaho"),
    "This is a demonstration with made-up questions. It is not for real interviews.": (
        "Ceci est une démonstration avec des questions inventées. Elle n'est pas destinée à "
        "de vrais entretiens.",
        "Esta é uma demonstração com perguntas inventadas. Não é para entrevistas reais.",
        "Đây là bản trình diễn với các câu hỏi hư cấu. Không dùng cho phỏng vấn thật.",
        "Isa itong demonstrasyon na may gawa-gawang mga tanong. Hindi ito para sa totoong "
        "panayam."),
    "What kind of work do you do?": ("Quel type de travail faites-vous ?",
                                     "Que tipo de trabalho você faz?", "Bạn làm công việc gì?",
                                     "Anong uri ng trabaho ang ginagawa mo?"),
    "Let the person answer in their own words, then pick the closest option.": (
        "Laissez la personne répondre avec ses propres mots, puis choisissez l'option la plus "
        "proche.",
        "Deixe a pessoa responder com as próprias palavras e escolha a opção mais próxima.",
        "Để người đó trả lời bằng lời của họ, rồi chọn lựa chọn gần nhất.",
        "Hayaang sumagot ang tao sa sarili niyang salita, saka piliin ang pinakamalapit na "
        "sagot."),
    "Which of these is closest to your work?": (
        "Lequel de ces choix ressemble le plus à votre travail ?",
        "Qual destas opções mais se parece com o seu trabalho?",
        "Lựa chọn nào dưới đây gần nhất với công việc của bạn?",
        "Alin sa mga ito ang pinakamalapit sa iyong trabaho?"),
    "On a usual day, how many hours do you work?": (
        "Un jour habituel, combien d'heures travaillez-vous ?",
        "Em um dia normal, quantas horas você trabalha?",
        "Vào một ngày bình thường, bạn làm việc bao nhiêu giờ?",
        "Sa karaniwang araw, ilang oras ka nagtatrabaho?"),
    "Enter a number of hours between 0 and 24.": (
        "Saisissez un nombre d'heures entre 0 et 24.", "Digite um número de horas entre 0 e 24.",
        "Nhập số giờ từ 0 đến 24.", "Maglagay ng bilang ng oras mula 0 hanggang 24."),
    "In your own words, what is a usual working day like?": (
        "Avec vos propres mots, comment se passe une journée de travail habituelle ?",
        "Com suas próprias palavras, como é um dia normal de trabalho?",
        "Bằng lời của bạn, một ngày làm việc bình thường diễn ra như thế nào?",
        "Sa sarili mong salita, ano ang karaniwang araw mo sa trabaho?"),
    "Take your time. There is no right or wrong answer.": (
        "Prenez votre temps. Il n'y a pas de bonne ou de mauvaise réponse.",
        "Fique à vontade. Não há resposta certa ou errada.",
        "Cứ từ từ. Không có câu trả lời đúng hay sai.",
        "Huwag magmadali. Walang tama o maling sagot."),
    "Write what the person says, in their words.": (
        "Notez ce que dit la personne, avec ses mots.",
        "Escreva o que a pessoa diz, com as palavras dela.",
        "Ghi lại điều người đó nói, bằng chính lời của họ.",
        "Isulat ang sinasabi ng tao, sa sarili niyang salita."),
    "When did you arrive in this country?": ("Quand êtes-vous arrivé(e) dans ce pays ?",
                                             "Quando você chegou a este país?",
                                             "Bạn đến đất nước này khi nào?",
                                             "Kailan ka dumating sa bansang ito?"),
    "What would help you most right now?": ("Qu'est-ce qui vous aiderait le plus en ce moment ?",
                                            "O que mais ajudaria você agora?",
                                            "Điều gì sẽ giúp bạn nhiều nhất lúc này?",
                                            "Ano ang pinakamakakatulong sa iyo ngayon?"),
    "Your children": ("Vos enfants", "Seus filhos", "Con của bạn", "Ang iyong mga anak"),
    "How many of your children are here with you?": (
        "Combien de vos enfants sont ici avec vous ?",
        "Quantos dos seus filhos estão aqui com você?",
        "Có bao nhiêu người con của bạn đang ở đây cùng bạn?",
        "Ilan sa iyong mga anak ang kasama mo rito?"),
    "Enter a number between 0 and 10.": ("Saisissez un nombre entre 0 et 10.",
                                         "Digite um número entre 0 e 10.",
                                         "Nhập một số từ 0 đến 10.",
                                         "Maglagay ng bilang mula 0 hanggang 10."),
    "Child": ("Enfant", "Filho ou filha", "Con", "Anak"),
    "How old is this child?": ("Quel âge a cet enfant ?", "Quantos anos tem esta criança?",
                               "Đứa trẻ này bao nhiêu tuổi?", "Ilang taon na ang batang ito?"),
    "Enter an age between 0 and 25.": ("Saisissez un âge entre 0 et 25.",
                                       "Digite uma idade entre 0 e 25.",
                                       "Nhập tuổi từ 0 đến 25.",
                                       "Maglagay ng edad mula 0 hanggang 25."),
    "Safety": ("Sécurité", "Segurança", "An toàn", "Kaligtasan"),
    "Are you afraid for your safety right now?": (
        "Craignez-vous pour votre sécurité en ce moment ?",
        "Você tem medo pela sua segurança neste momento?",
        "Hiện giờ bạn có lo sợ cho sự an toàn của mình không?",
        "Natatakot ka ba para sa iyong kaligtasan ngayon?"),
    "What you observe": ("Ce que vous observez", "O que você observa", "Điều bạn quan sát",
                         "Ang iyong napapansin"),
    "Does the person seem afraid of someone nearby?": (
        "La personne semble-t-elle avoir peur de quelqu'un à proximité ?",
        "A pessoa parece ter medo de alguém por perto?",
        "Người đó có vẻ sợ ai đó ở gần không?",
        "Mukha bang takot ang tao sa isang taong malapit?"),
    "Answer from what you see; never ask this aloud.": (
        "Répondez d'après ce que vous voyez ; ne posez jamais cette question à voix haute.",
        "Responda pelo que você vê; nunca faça esta pergunta em voz alta.",
        "Trả lời dựa trên những gì bạn thấy; không bao giờ hỏi câu này thành tiếng.",
        "Sumagot batay sa iyong nakikita; huwag itong itanong nang malakas."),
    "Work": ("Travail", "Trabalho", "Lao động", "Trabaho"),
    "Control": ("Contrôle", "Controle", "Kiểm soát", "Kontrol"),
    "Very long working hours": ("Journées de travail très longues", "Jornadas muito longas",
                                "Giờ làm việc rất dài", "Napakahabang oras ng trabaho"),
    "Seems afraid of someone": ("Semble avoir peur de quelqu'un", "Parece ter medo de alguém",
                                "Có vẻ sợ ai đó", "Mukhang takot sa isang tao"),
    "In danger now": ("En danger maintenant", "Em perigo agora", "Đang gặp nguy hiểm",
                      "Nasa panganib ngayon"),
    "Move the person to a safe place and call for help before going on.": (
        "Mettez la personne en lieu sûr et appelez de l'aide avant de continuer.",
        "Leve a pessoa para um lugar seguro e peça ajuda antes de continuar.",
        "Đưa người đó đến nơi an toàn và gọi trợ giúp trước khi tiếp tục.",
        "Ilipat ang tao sa ligtas na lugar at humingi ng tulong bago magpatuloy."),
    "Urgent need: act now, then refer for a full assessment (demo).": (
        "Besoin urgent : agissez maintenant, puis orientez vers une évaluation complète "
        "(démo).",
        "Necessidade urgente: aja agora e depois encaminhe para uma avaliação completa (demo).",
        "Nhu cầu khẩn cấp: hành động ngay, sau đó chuyển tuyến để đánh giá đầy đủ (trình "
        "diễn).",
        "Agarang pangangailangan: kumilos ngayon, saka i-refer para sa buong pagsusuri "
        "(demo)."),
    "Indicators present: refer for a full assessment (demo).": (
        "Indicateurs présents : orientez vers une évaluation complète (démo).",
        "Há indicadores: encaminhe para uma avaliação completa (demo).",
        "Có dấu hiệu: chuyển tuyến để đánh giá đầy đủ (trình diễn).",
        "May mga palatandaan: i-refer para sa buong pagsusuri (demo)."),
    "Incomplete: key questions have no answer (demo).": (
        "Incomplet : des questions clés n'ont pas de réponse (démo).",
        "Incompleto: perguntas-chave sem resposta (demo).",
        "Chưa đầy đủ: các câu hỏi chính chưa có câu trả lời (trình diễn).",
        "Hindi kumpleto: walang sagot ang mahahalagang tanong (demo)."),
    "No indicators in these answers (demo).": (
        "Aucun indicateur dans ces réponses (démo).",
        "Nenhum indicador nestas respostas (demo).",
        "Không có dấu hiệu nào trong các câu trả lời này (trình diễn).",
        "Walang palatandaan sa mga sagot na ito (demo)."),
}
