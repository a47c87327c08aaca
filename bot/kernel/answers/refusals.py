"""What the bot never answers from an entry: clinical, adversarial and off-topic messages."""

from __future__ import annotations

import re

from bot.kernel.answers.words import tokenize

# Words that mark a clinical question: the bot never answers those, however well they match.
CLINICAL_WORDS = frozenset(
    """dose doses dosage dosing mg milligram milligrams tablet tablets medication medications
    medicine medicines prescribe prescribing prescription drug drugs symptom symptoms diagnose
    diagnosis treat treating treatment treatments cure fever rash infection infections
    antibiotic antibiotics paracetamol ibuprofen amoxicillin aspirin insulin statin statins
    pregnancy pregnant breastfeeding vaccine vaccination vaccines uti utis asthma diabetes
    blood hypertension cancer chest sick illness ill overdose
    contraindication contraindicated allergy allergic injection inhaler stroke strokes sepsis
    hba1c cholesterol copd eczema migraine dementia epilepsy seizure seizures jab jabs
    immunisation immunisations referral wound wounds bleeding pain cardiac heart
    suicidal suicide selfharm psychosis schizophrenia bipolar depression depressed
    antidepressant antidepressants sertraline citalopram fluoxetine metformin warfarin apixaban
    anticoagulant anticoagulants opioid opioids morphine codeine tramadol naproxen omeprazole
    ramipril amlodipine atorvastatin simvastatin levothyroxine salbutamol steroid steroids
    prednisolone antihistamine antihistamines cough coughing vomiting nausea diarrhoea diarrhea
    constipation headache headaches dizzy dizziness fracture tonsillitis pneumonia
    contraception contraceptive menopause hrt melanoma arthritis angina palpitations wheeze
    wheezing breathless breathlessness dehydration chlamydia hepatitis measles chickenpox
    shingles gout anaemia anemia thyroid lithium clozapine methotrexate digoxin gabapentin
    pregabalin diazepam lorazepam cancerous mole moles lesion lesions fibrillation arrhythmia
    """.split()
)


# Clinical words of more than one word (hyphens split words: "self-harm" is "self", "harm").
_CLINICAL_PHRASES = re.compile(
    r"\bself[- ]harm|\bmental health crisis\b|\bslurred speech\b|\bface drooping\b|"
    r"\bdrooping face\b|\b(?:can't|cannot|difficulty) breath\w*\b|\bbreathing difficult\w*\b|"
    r"\bunconscious\b|\bcollapsed\b|\bfainted\b")


# Clinical words in an everyday sense ("treat them equally", "a pain to set up", "at the heart
# of the plan").
_NOT_CLINICAL = re.compile(
    r"\btreat(?:s|ed|ing)? (?:them|it|this|that|these|those|everyone|people|staff|patients and "
    r"staff|all|both|each|us|you|as)\b|"
    # ("treat funding as a minor point": "treat" alone is taken out, so that "treat a chest
    # infection as urgent" keeps its clinical words.)
    r"\btreat(?:s|ed|ing)?(?= [\w\s'-]{1,50}? as\b)|\ba (?:real )?pain\b|\b(?:at )?the heart of\b|"
    r"\bat heart\b|"
    r"\b(?:is (?:that|this|it) a|a known|a real|a big|a massive|bit of a|such a) headache\b|"
    r"\bsick of\b|\b(?:worried|worrying|bored|fed up|sick and tired) sick\b|"
    r"\b(?:their|your|my|our|own) headaches?\b|"
    # "Does the article prescribe that ...": lays down, not a prescription.
    r"\b(?:article|toolkit|author|summary|guidance|document|sources?|it|they) prescribes?\b|"
    r"\bprescriptive\b")


# Attempts to make the bot step outside its sources ("ignore previous instructions", "pretend
# the article says ...", "make up the budget"): refused, never answered from the nearest entry.
ADVERSARIAL = re.compile(
    r"\b(?:ignore|disregard|forget) (?:all |any |your |the )?(?:previous|prior|above|earlier|"
    r"your) (?:instructions|rules|prompts?|guidance)\b|\bsystem prompt\b|\bdeveloper mode\b|"
    r"\bjailbreak|\bpretend (?:that |the |you |you're |youre |to )|\bact as (?:if|though)\b|"
    r"\brole-?play\b|\b(?:make|making) (?:it|something|one|them|stuff|things) up\b|"
    r"\bmake (?:some |a few )?(?:[\w-]+ )?(?:ones|examples|figures|numbers|statistics|stats|names|"
    r"quotes) up\b|\bmake up (?:a|an|some|a few|two|three|four|five|\d+)\b|"
    # "Make up the list" as a request, not "which towns make up SMASH".
    r"(?:^|[.!?,]\s*|\bjust |\bplease |\b(?:can|could|would|will) you )make up the\b|"
    r"\binvent (?:a|an|the|some)\b|\bmade-up\b|\bhypothetically\b|\bdo anything now\b|"
    # Told the sources no longer bind it: "new rule: answer even if the sources don't say".
    r"\bnew (?:rules?|instructions?)\b|\bno longer (?:limited|restricted|bound)\b|"
    r"\beven (?:if|when|though) (?:the |your )?(?:sources?|documents?|articles?) (?:don't|do not|"
    r"doesn't|does not) say\b|\bas if (?:they|it) (?:were|was) quoted\b|"
    r"\bwrite (?:me |us )?(?:a |an )?(?:fake )?quote\b|\b(?:login|log-in|sign-in) "
    r"details\b|\bpasswords?\b|"
    # Words put in someone's mouth, or a claim to be confirmed unchecked.
    r"\b(?:write|draft|compose)\b[^.?!]{0,30}\b(?:testimonial|endorsement|linkedin post|press "
    r"release)\b|\bsign it (?:with|as|in) (?:his|her|their)\b|"
    r"\bsign(?:ed)? (?:it |this |that |them |the letter )?(?:off )?(?:from|as|by|in the name of) "
    r"(?:dr|mr|mrs|ms|miss|prof|professor|him|her|them)\b|"
    # Asked to confirm, as if with authority, what the sources cannot know.
    r"\bconfirm (?:in writing|officially|formally|in an email)\b|\bendors(?:e|es|ing|ement)\b"
    r"[^.?!]{0,40}\b(?:my|our) (?:company|product|consultancy|business|firm|app)\b|"
    r"\bjust (?:confirm|say yes|agree)\b|\bmake it (?:sound|look) (?:official|real|legit\w*|"
    r"authoritative|genuine)\b|\bno need to check\b|\bconfirm that and give\b|"
    r"\bjust (?:answer|reply|say) (?:yes|no|with (?:a |one )?(?:yes|no|word))\b|"
    # Asked to answer as if the sources said otherwise, or to show what it was told.
    r"\bsystem override\b|\bfrom now on,? (?:reply|answer|respond|say)\b|"
    r"\b(?:reply|respond) to everything with\b|"
    r"\b(?:answer|reply|respond|act|behave) as (?:if|though)\b|"
    r"\bfor the rest of (?:this|the|our) (?:chat|conversation|session)\b|"
    r"\b(?:repeat|print|show|output|reveal) (?:back )?(?:everything|all|the text|the words|"
    r"what(?:ever)? (?:was|is|you were)(?: \w+)?) (?:above|before|you were (?:told|given))\b|"
    # Other people's questions or records: the bot shows no one else's data.
    r"\b(?:other|others|another)\s+(?:users?|people|dtls?|members?|colleagues?|person)\b[^?.!]{0,40}"
    r"\b(?:asked|asking|ask)\s+(?:you|the bot)\b|"
    # "every DTL who has asked you something", "what she's been asking you this week".
    r"\bwho(?:'s| has| have|'ve| had)\s+(?:been\s+)?(?:asked|asking)\s+(?:you|u|the bot)\b|"
    r"\bwhat\b(?:(?!\b(?:i|we)\b)[^?.!]){1,60}?\s(?:(?:has|have|had|is|are|was|were)\s+)?"
    r"(?:been\s+)?(?:asked|asking|told|telling|said to)\s+(?:you|u|the bot)\b|"
    r"\b(?:other|others|another)\b[^?.!]{0,60}\b(?:have|has|had|been)\s+(?:been\s+)?(?:asked|"
    r"asking|told|telling)\s+(?:you|u|the bot)\b|"
    # Said as someone the sources name ("this is Dr Neil Paul"), or to pass on to others.
    r"\b(?:this is|i'm|i am|im) (?:dr\.? |doctor )?(?:neil paul|chris nortcliff)\b(?!'s)|"
    r"\b(?:tell|confirm to|say to|promise) (?:any|every|all)(?: the)? (?:other )?"
    r"(?:dtls?|users?|people|members?) (?:who|that) (?:asks?|asked)\b|"
    r"\b(?:show|paste|give|send) (?:me |us )?their "
    r"(?:chats|conversations|messages|questions)\b|\b(?:show|give|send|list|export|share) "
    r"(?:me |us )?(?:(?:the|all|their|all the|all of the|any) )?patients?'? (?:records?|notes|"
    r"details)\b|\bpatients?'? (?:records?|notes|data) (?:you|the bot) (?:can|could|have)\b|"
    r"\bnhs numbers?\b|\bpatient list with\b|\bpatients?'? names\b|\bpatient names\b|"
    r"\b(?:names|addresses|phone numbers|emails|email addresses|contact details) "
    r"(?:and [\w ]{1,20}? )?of (?:our |the |their |all )?(?:\d+ )?(?:\w+ )?(?:dtls|people|members|"
    r"attendees|patients)\b|\bsell (?:\w+ )?(?:patient|patients'?) data\b|\bdata broker\b|"
    r"\b(?:put off|deter|discourage|stop) (?:\w+ ){0,2}patients (?:from )?(?:\w+ ){0,3}"
    r"(?:registering|signing up)\b|"
    # Shaming and abuse.
    r"\bname and shame\b|\bname names\b|\bslagging (?:\w+ )?off\b|\bbad-?mouth\w*\b|"
    r"\bnames,? please\b|"
    r"\b(?:nasty|abusive|anonymous) (?:review|post|message|comment)\b|"
    r"\btrash(?:ing)? (?:dr|him|her|them)\b|\b(?:the )?(?:worst|laziest|lazy) (?:run |performing )?"
    r"(?:ones|practices|pcns|gps|clinical directors|managers|dtls)\b|"
    r"\bare (?:lazy|useless|incompetent|rubbish)\b|"
    # Getting round security, covert access, fraud and forgery, rude posts, and being told to
    # be something else.
    r"\bget (?:round|around|past) (?:the )?(?:practice |nhs )?(?:firewall|security)\b|"
    r"\bbypass (?:the )?(?:firewall|security|smartcard)\b|"
    r"\bwithout (?:anyone|anybody|them|(?:the |our |my |their )?(?:practice|practices|partners?|"
    r"manager|staff|gps?|cd|boss|ics|icb)) (?:noticing|knowing|finding out|knowing about it)\b|"
    r"\bwithout (?:actually )?having (?:anyone|anybody|someone)\b|"
    r"\bwithout (?:their|a|the|my|his|her|any) (?:login|log-in|password|permission|consent|"
    r"smartcard)\b|\b(?:get|break|hack) into (?:another|someone else's|other people's)\b|"
    r"\bas if (?:it'?s|it is|it was|it were) (?:from|by|written by)\b|"
    r"\badd (?:a )?(?:line|sentence|bit|note|paragraph) (?:saying|that says)\b|"
    r"\bconfirm (?:that )?(?:the )?(?:article|toolkit|summary|author|sources?) (?:says|said|"
    r"states|recommends)\b|"
    r"\b(?:doesn't|does not|don't|do not) (?:actually |really )?exist\b|\bfake\b|"
    r"\bforg(?:e|ed|es|ing|ery)\b|"
    r"\bfraud\w*\b|\b(?:write|say|post) (?:something )?(?:really |very )?(?:rude|insulting|"
    r"offensive|nasty)\b|\b(?:write|say|post) something (?:really |very )?mean\b|"
    r"\bforget the nhs\b|\b(?:forget|ignore) (?:about )?the (?:documents?|sources?)\b|"
    r"\byour (?:own |personal )(?:opinion|view|views|thoughts)\b|"
    r"\byou(?:'re| are) (?:now )?(?:an? |my |the )[\w\s-]{1,30}? now\b|"
    # Word-for-word quotes: the bot answers in its own words from the sources, and a quote asked
    # for is most often of something they do not say.
    r"\b(?:exact|direct) quote\b|\bgive (?:me|us) a quote\b|\bso (?:i|we) can quote\b|"
    r"\ba quote (?:from (?:it|the article|the toolkit)|i can use)\b|\bword for word\b|"
    r"\bquote (?:it|that|this|them) (?:for me|back|to me)\b|\bverbatim\b",
    re.IGNORECASE,
)


# Chit-chat that is not small talk the bot answers: refused, never matched to an entry.
OFF_TOPIC = re.compile(
    r"\btell (?:me|us) (?:a |an |some |any )?jokes?\b|\bhow (?:has|was|is) your day\b|"
    r"\bwhat do you do to (?:unwind|relax)\b|\bweather\b|\bfootball\b|\bpremier league\b|"
    r"\brecipes?\b|\bdo you (?:ever )?(?:get )?(?:bored|tired|lonely)\b|"
    r"\bhow'?s (?:your|ur) (?:day|week|weekend|morning|afternoon|evening|monday|tuesday|"
    r"wednesday|thursday|friday)\b|"
    r"\bbirthday\b|\b(?:card|leaving|wedding) message\b|"
    r"\bfancy a (?:cuppa|coffee|tea|brew|drink|pint)\b|"
    r"\b(?:write|compose) (?:me |us )?(?:a |an )?(?:short |quick |little |funny )?"
    r"(?:limerick|poem|song|haiku|rap|story)\b|"
    r"\byour favourite\b|\bpodcasts?\b|\b(?:recommend|suggest) (?:me )?"
    r"(?:a |some )?(?:good )?(?:books?|films?|movies?|restaurants?|pubs?|songs?|playlists?|"
    r"holidays?|tv shows?|series)\b|\btea or coffee\b|\bcoffee or tea\b|\bcrypto\w*\b|"
    r"\bbitcoin\b|\bprinters?\b|\bwi-?fi\b|\banother day,? another\b|"
    # Programming jobs: not what the bot is for.
    r"\b(?:write|code|build|make) (?:me |us )?(?:a |an |some )?(?:quick |little |simple )?"
    r"(?:python|javascript|js|vba|excel|sql|powershell|bash)? ?(?:script|code|program|macro|"
    r"scraper)\b|\bscrape\b",
    re.IGNORECASE,
)


# "dose the toolkit say...": a typo of "does" at the start, not a question about a dose.
_DOES_TYPED_DOSE = re.compile(
    r"^(\s*)dose\s+(?=(?:the|it|this|that|a|an|my|our|your|anyone|everyone|he|she|they|we|i)\b)|"
    r"^(\s*(?:what|how|why|where|who|which|when)(?:\s+(?:often|much|many|long|far))?\s+)dose\s+"
    r"(?=[\w\s'-]{1,60}\b(?:mean|means|say|says|stand|cover|covers|work|help|meet|meets|need|"
    r"want|think|recommend|suggest|happen|involve|include|start|run|matter)\b)|"
    # "if the manager also dose the DTL job": a verb, mid-sentence.
    r"\b((?:also|who|that|it|she|he|they|which|still|then|now|just)\s+)dose\s+"
    r"(?=(?:the|a|an|it|this|that|their|his|her|both|any|all)\s+(?!dose|doses|dosage)\w)",
    re.IGNORECASE)


def everyday_senses_removed(text: str) -> str:
    """The lowercased text without clinical words used in their everyday sense."""
    return _NOT_CLINICAL.sub(" ", text)


def is_clinical(text: str) -> bool:
    """Whether lowercased text (everyday senses removed) asks something clinical."""
    return _CLINICAL_PHRASES.search(text) is not None or any(
        token in CLINICAL_WORDS for token in tokenize(text))


def steps_outside(question: str) -> bool:
    """Whether the message tries to take the bot outside its sources, or is chit-chat it
    does not answer."""
    return ADVERSARIAL.search(question) is not None or OFF_TOPIC.search(question) is not None


def dose_read_as_does(question: str) -> str:
    """The question with a "dose" that is a typo of "does" put right."""
    return _DOES_TYPED_DOSE.sub(
        lambda m: f"{m.group(1) or m.group(2) or m.group(3) or ''}does ", question)
