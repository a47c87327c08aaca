"""Answering questions from curated content: bm25 candidates, typo tolerance, confidence."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import numpy as np
import Stemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.kernel.bm25 import FieldBM25
from bot.kernel.config import DEFAULT_THRESHOLD
from bot.kernel.content import Content, Entry, GlossaryTerm

CANDIDATES = 20
PART_CANDIDATES = 12
# Below the threshold but at least this share of it, the best topics are offered as
# "did you mean ...?" (at most SUGGESTIONS of them) instead of a plain "I don't know".
SUGGEST_FRACTION, SUGGESTIONS = 0.6, 3
# Words found in more than this share of entries are left out of the bm25 search.
# (never fewer than COMMON_FLOOR entries, so small content is searched whole).
COMMON_FRACTION, COMMON_FLOOR = 0.05, 200
# At most this many words (the rarest, synonyms included) go into one bm25 search.
MAX_TERMS = 8
# Candidates are ranked on four signals: coverage (how much of the question the entry
# speaks to), likeness (fuzzy match to a title or phrasing), bm25 relative to the best
# candidate, and overlap (rarity-weighted Jaccard with the closest title or phrasing).
# Weights fitted on the evaluation set (see bench/qa.py).
# Two more: passage (how much of the question one sentence or bullet of the entry covers) and,
# when a semantic model is loaded, semantic (cosine similarity of static embeddings).
# (passage and semantic fitted on the dev half of tests/eval/independent.toml only).
RANK_WEIGHTS = {"coverage": 1.0, "likeness": 0.4, "bm25": 0.3, "overlap": 1.0, "passage": 0.5,
                "semantic": 2.0}
# Confidence leaves bm25 out: relative to the best candidate it is always 1 for the winner.
# Likeness counts less than overlap: it is the best of many fuzzy matches, so the more ways of
# asking an entry holds (asked.toml), the likelier a high one by chance (fitted by
# cross-validation over the dev sets, each taught the others' questions).
CONFIDENCE_WEIGHTS = {"coverage": 0.5, "likeness": 0.15, "overlap": 0.35, "passage": 0.0,
                      "semantic": 0.3}
# Entries the semantic signal adds as candidates (found by meaning, sharing no rare word).
SEMANTIC_CANDIDATES = 5
# An answer less sure than UNSURE offers the next entries (at most ALTERNATIVES) that rank within
# CLOSE_RANK of it and would be answered on their own: about one answer in ten on the dev data.
UNSURE, CLOSE_RANK, ALTERNATIVES = 0.45, 0.2, 2
# A question in several parts gets a second entry when one of the next few candidates is
# confident on its own and speaks to at least this share of the question the best one leaves.
ALSO_LOOKS, ALSO_SHARE = 4, 0.1
# Asked part by part, at most this many other entries join the answer.
ALSO_MOST = 2
# A part whose words (weighted) the best entry holds at least this share of is its to answer.
PART_COVERED = 0.7
# Cosine similarities at or below this say nothing (unrelated questions score about this much
# against the best entry); the semantic signal is the rest, scaled to 0..1.
SEMANTIC_FLOOR = 0.45
# How strongly a query word found in each field speaks for an entry.
# Questions people asked (asked.toml) count like the body: besides what they ask for, they hold
# words of the asker's own ("I feel a bit isolated") that say little about the entry (fitted by
# cross-validation over the dev sets, each taught the others' questions, and checked once on
# sets F to K, written later).
FIELD_STRENGTH = {"title": 1.0, "phrasings": 1.0, "asked": 0.45, "tags": 1.0, "body": 0.45}
# bm25 weights for the fields, in the order of FIELD_STRENGTH: title, phrasings, asked, tags, body.
BM25_WEIGHTS = (10.0, 8.0, 4.0, 4.0, 1.0)

# Common English words that say nothing about which topic is meant.
STOPWORDS = frozenset(
    """a about above after again against all almost also am an and any anyone anything are
    aren't around as at away back be because been before being below between both but by can
    can't could couldn't did didn't do does doesn't doing don't done down during each either
    else enough even ever every few for from further get gets getting give
    good got had hasn't has have haven't having he her here hers herself him himself his how
    i i'd i'll i'm i've if in into is isn't it it's its itself just keep kind know let like
    look lot lots make making may maybe me might mine more most much must my myself need
    needs never no nor not now of off ok okay on once one only or other others ought
    our ours ourselves out over own please put quite rather really right said same say says
    see seem she should shouldn't so some someone something sort still such sure take tell
    than thanks thank that that's the their theirs them themselves then there there's these
    they they're thing things think this those though through to too try under until up upon
    us use used very want wanted was wasn't way we we're well were weren't what what's whats
    when where whether which while who who's whom whose why will with without won't would
    wouldn't yes yet you you're your yours yourself im dont doesnt isnt arent cant wont
    wanna gonna hi hello hey pls plz anybody somebody something explain show whole include
    includes including""".split()
)

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
    r"\btreat(?:s|ed|ing)? [\w\s'-]{1,50}? as (?:the same|one|equals?|separate|different|"
    r"interchangeable|part)\b|\ba (?:real )?pain\b|\b(?:at )?the heart of\b|\bat heart\b|"
    r"\b(?:is (?:that|this|it) a|a known|a real|a big|a massive|bit of a|such a) headache\b|"
    r"\bsick of\b|\b(?:worried|worrying|bored|fed up|sick and tired) sick\b|"
    r"\b(?:their|your|my|our|own) headaches?\b")

# Questions that ask for one kind of fact (an amount, a date, a link, a name, a figure): when the
# chosen entry does not hold that kind of fact, or says the sources do not give it, the answer
# is partial: it says so first, then what the sources do say. (kind, how the kind is named in
# the reply, what asks for it, what in an entry holds it, the words a "not given" sentence uses)
_MONEY = r"(?:cost|costs|costed|pay|pays|paid|salary|salaries|wage|wages|earn|earns|budget|" \
    r"budgets|funding|money|price|fee|fees|band|claim|spend|spent|worth|receive|received|" \
    r"reimburse|reimbursed|reimbursement|reimbursements)"
# A message of at most six words that ends in one of these ("lighthouse project budget").
_ENDS_SHORT = r"^\W*(?:[\w'-]+\W+){{0,5}}?(?:{})\W*$"
# "What's the difference between an ICB and an ICS?": the two things compared.
_COMPARED = re.compile(r"\bdifferences? between (?:an? |the )?([\w-]+(?: [\w-]+)?) and "
                       r"(?:an? |the )?([\w-]+)\b")
# The months and days, which a date holds.
_CALENDAR = frozenset("""january february march april may june july august september october
    november december monday tuesday wednesday thursday friday saturday sunday""".split())
# "How much of her time does she spend on it": a share of time, not money.
_NOT_TIME = r"(?! (?:of )?(?:(?:her|his|their|your|my|our|the|its|a) )?(?:time|week|day|month))"
_PERSON = r"(?:pharmacist|person|author|lead|dtl|woman|man|chair|director|manager|writer|she|he)"
FACT_KINDS: tuple[tuple[str, str, re.Pattern[str], re.Pattern[str], re.Pattern[str]], ...] = (
    ("amount", "a salary, cost or amount of money",
     re.compile(rf"\bhow much\b{_NOT_TIME}.*\b{_MONEY}\b|"
                r"\bwhat\b.*\b(?:salary|salaries|wage|wages|band|"
                rf"budget(?! (?:problems?|issues?|pressures?|constraints?|challenges?|gaps?))|"
                rf"price|fee|fees)\b|£|\bsalary\b|\bsalaries\b|\bwages?\b|\bcosted\b|"
                rf"\bmake up\b.*\bbudget\b|\bhow much\b{_NOT_TIME}.*\bcost|\bcost of\b|"
                rf"\b(?:maximum|minimum|total) (?:reimbursement|amount|funding|cost|budget)\b|"
                r"\bpay (?:band|scale|grade)\b|\bcosts? anything\b|\bdoes (?:it|that|this) cost\b|"
                r"\bis (?:it|that|this) free\b|"
                + _ENDS_SHORT.format("budget|cost|costs|salary|pay")),
     re.compile(r"£|\$|\b\d[\d,.]*\s*(?:k|m|million|thousand|pounds|per cent|%)"),
     re.compile(r"\b(?:amount|amounts|cost|costs|salary|figure|figures|budget|money|sum)\b")),
    # Who pays for something: a question about funding the entry may never mention.
    ("payer", "a funder for that",
     re.compile(r"\bwho(?:'s| is| are)? (?:paying|pays|pay|funding|funds|fund) for\b|"
                r"\bwho (?:pays|funds)\b"),
     re.compile(r"\b(?:fund|funds|funded|funding|pays|paid|reimburs\w*)\b", re.I),
     re.compile(r"\b(?:funder|funders|who pays)\b")),
    ("date", "a date or time",
     re.compile(r"\b(?:what|which)\s+(?:calendar\s+|exact\s+)?(?:date|dates|day|days|time|times|"
                r"year|month)\b|"
                r"\bdeadline|\bwhen exactly\b|\bdue date\b|\bstart time\b|\bwhat time\b|"
                r"\bwhen (?:did|was|were|will) [\w\s'-]{1,40}? (?:run|start|begin|end|launch|"
                r"launched|set up|introduced|created|published|released|written|updated)\b"),
     re.compile(rf"\b(?:{'|'.join(sorted(_CALENDAR))})\b|"
                r"\b(?:19|20)\d\d\b|\b\d{1,2}[:.]\d\d\b|\b\d{1,2}\s*(?:am|pm)\b", re.I),
     re.compile(r"\b(?:date|dates|day|days|time|times|year|years|when)\b")),
    ("link", "a web address, email or other contact details",
     re.compile(r"\b(?:web|website|email|e-mail|postal|home|site)\s+address\b|\burl\b|"
                # "how does it link to the toolkit": a verb, not a link asked for.
                r"(?<!their )(?<!its )(?<!'s )(?<!it )(?<!they )(?<!this )(?<!that )\blink to\b|"
                r"\bthe link\b(?! between)|\bhyperlink\b|"
                r"\be-?mail\b|\bphone number\b|"
                r"\btelephone number\b|\bcontact (?:number|details)\b|"
                r"\bwhat(?:'s| is) the address\b|"
                r"\b(?:tool|toolkit|website|site|download|web) link\b|"
                + _ENDS_SHORT.format("link")),
     re.compile(r"https?://|www\.|@|\.(?:com|org|net|uk)\b|\b0\d{3,}"),
     re.compile(r"\b(?:address|addresses|link|links|url|email|contact)\b")),
    ("name", "the names asked for",
     re.compile(r"\b(?:what(?:'s| is| are| was| were|s)\s+(?:the\s+|their\s+|her\s+|his\s+)?"
                r"names?|names? of|name the|"
                # ("who exactly is the toolkit designed for" asks for an audience)
                r"who (?:exactly|specifically)(?! (?:is|are) [\w\s'-]{0,40}?\b(?:for|at)\W*$)|"
                r"which (?:two |2 )?"
                r"(?:pcns|networks|primary care networks|practices)\b[\w\s/-]{0,40}?\b(?:were|"
                r"was|took part|did)|which (?:local )?(?:authorities|councils)\b|called|"
                r"who is (?:the|my|our) (?:[\w-]+ )?(?:contact|chair|ceo|"
                r"head|person|manager|director) (?:for|at|in|of))\b"),
     re.compile(r"(?!)"),  # names are judged by the entry's own "does not name" sentences
     re.compile(r"\b(?:name|names|named|title)\b")),
    # A detail the sources never give: a job title, a university, an employer, a venue.
    ("detail", "that detail",
     re.compile(r"\bjob title\b|"
                # "what's Dr Chris Nortcliff's actual job": what someone named does.
                r"\bwhat(?:'s| is| was)\s+(?:dr |mr |mrs |ms |prof )?[\w-]+(?: [\w-]+)?'s "
                r"(?:actual |real |exact |current |day )?(?:job|position)\b|"
                r"\bwhat (?:is |was )?(?:his|her) (?:actual |real |exact |current |day )?"
                r"(?:job|position)\b|"
                r"\b(?:which|what) (?:university|organisation|organization|"
                r"company|employer|venue|building|hospital|portal|file format)\b|"
                r"\bpdf or word\b|\bword or pdf\b|"
                r"\bteams or zoom\b|\bzoom or teams\b"),
     re.compile(r"(?!)"),  # judged by the word asked about (see missing_fact)
     re.compile(r"\b(?:title|university|organisation|platform|venue)\b")),
    # What an abbreviation stands for, when the glossary does not know it (it answers first).
    ("expansion", "what that abbreviation stands for",
     re.compile(r"\bstands? for\b|\bshort for\b|\b(?:acronym|abbreviation)\b|"
                r"\b(?:programme|project|toolkit|tool|scheme|index)'s full name\b|"
                r"\bfull name (?:does|do|did|is)\b|\bspell (?:it|that|this) out for (?:me|us)\b|"
                r"\bfull name of the (?:programme|project|toolkit|tool|scheme|index)\b"),
     re.compile(r"\bstands? for\b|\bshort for\b", re.I),
     re.compile(r"\b(?:spell|spelt|spelled|stands? for|acronym|abbreviation)\b")),
    # Where something is held: the sources name no venues.
    ("place", "where it is held",
     re.compile(r"\bwhere (?:is|are|will|was|were) [\w\s'-]{1,60}?\b(?:held|take place|"
                r"taking place|hosted)\b|\bwhat (?:venue|location)\b|"
                r"\bwhich (?:venue|location)\b|"
                r"\bwhere (?:is|are|will) (?:the )?[\w\s'-]{0,40}?\b"
                r"(?:meet ?ups?|get[- ]togethers?|face to face|in[- ]person)\b"),
     re.compile(r"(?!)"),
     re.compile(r"\b(?:venue|venues|place|location|where)\b")),
    # A list the entry itself says its source leaves out ("the eight priorities").
    ("list", "that list",
     re.compile(r"(?<!the )(?<!a )(?<!priority )(?<!priorities )\b(?:list|tell me) "
                r"(?:the|all|out)\b|"
                r"\bwhat (?:exactly )?(?:are|were) (?:exactly )?the (?:eight|8)\b"),
     re.compile(""),  # only the entry's own "leaves the list out" makes this partial
     re.compile(r"\blist\b")),
    # How two things differ: given only by an entry that speaks of both.
    ("comparison", "how those two differ",
     _COMPARED,
     re.compile(r"(?!)"),  # judged by whether the entry names both (see _comparison_given)
     re.compile(r"\b(?:difference|differences|compare|comparison)\b")),
    # How long something takes: the sources give no durations for the steps or projects.
    ("duration", "how long it takes",
     re.compile(r"\bhow long (?:does|do|will|would|should|is|are|did) [\w\s'-]{1,50}?\b"
                r"(?:take|last|run|go on)\b|\bhow long (?:is|are) (?:each|every)\b"),
     re.compile(r"\b\d+\s*(?:weeks?|months?|days?|years?|hours?|minutes?)\b|"
                r"\b(?:a|one|two|three|four|six|twelve|almost a|nearly a|about a|over a) "
                r"(?:week|month|year|day|hour)s?\b", re.I),
     re.compile(r"\b(?:how long|duration|durations|length)\b")),
    # What something achieved, measured: the sources report no results of the pilots.
    ("results", "results or figures for that",
     re.compile(r"\bwhat (?:were |are )?(?:the |their |its )?(?:results|outcomes|findings)\b|"
                r"\bresults (?:did|do|does)\b|\b(?:better|worse|best|worst|any|good|poor) "
                r"(?:results|outcomes)\b|"
                # "which areas have the highest risk": a ranking of measured results.
                r"\bwhich [\w\s-]{1,30}? (?:have|has|had|show|shows|showed) the (?:highest|lowest|"
                r"most|least|best|worst)\b|"
                r"\bhow much (?:did|has|have|had|does|do) [\w\s'-]{1,40}? (?:go up|went up|gone up|"
                r"increase|improve|rise|grow|fall|drop|change|reduce)\b|"
                r"\b(?:went|gone|go|goes) (?:up|down) by\b|"
                r"\b(?:improved|increased|reduced|dropped|fell|rose) by how much\b"),
     re.compile(r"\d\s*%|\bper ?cent\b|\b(?:increased|improved|reduced|rose|fell|dropped) by\b",
                re.I),
     re.compile(r"\b(?:results?|outcomes?|findings)\b")),
    ("number", "that figure",
     re.compile(r"\bwhat\b[\w\s']{0,30}?\b(?:percentage|proportion|percent|score|scores|"
                r"threshold|ratio|rate)\b|\bwhat number\b|\bhow many\b|\bby how much\b|"
                r"\bany (?:figures|numbers|statistics|stats)\b|"
                r"\bwhat (?:results|figures|statistics)\b"),
     re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                r"twenty|hundred|hundreds|dozen|dozens)\b", re.I),
     re.compile(r"\b(?:number|numbers|figure|figures|count|percentage)\b")),
    ("deadline", "a deadline",
     re.compile(r"\bdeadlines?\b|\bclosing date\b|\bcut-?off date\b"),
     re.compile(r"\bdeadline|\bclosing date\b|\bdue by\b"),
     re.compile(r"\bdeadlines?\b")),
    # The article describes the role, not how to apply for one.
    ("apply", "how to apply for a post",
     re.compile(r"\bhow (?:do|can|would|should) (?:i|you|we|someone|people) apply\b|"
                r"\bapply (?:for|to) (?:a |an |the )?(?:dtl|digital|job|post|role|position)|"
                r"\bvacanc(?:y|ies)\b|\bjob (?:advert|adverts|ads?|listing|listings)\b"),
     re.compile(r"\bapply|\bvacanc|\badvert"),
     re.compile(r"\bapply|\bapplication")),
    # What happened after the sources were written (did a planned meeting go ahead?).
    ("outcome", "what happened afterwards",
     re.compile(r"\bdid (?:it|they|the [\w\s-]{1,30}?) (?:go ahead|happen|take place|get "
                r"cancelled|work out)\b|\bwas it (?:cancelled|held|a success)\b|\bhow did it go\b|"
                r"\bwhat did (?:they|the [\w\s-]{1,20}?) (?:actually |really )?achieve\b"),
     re.compile(r"\bwent ahead\b|\btook place\b|\bwas held\b|\bwas cancelled\b"),
     re.compile(r"\bhappened\b")),
    # What will happen in future: the sources make no forecast beyond "in theory the ARRS money
    # continues".
    ("future", "what will happen in future",
     re.compile(r"\bwill (?:the )?[\w\s-]{0,30}?\bstill be\b|\bin the next (?:few |couple of )?"
                r"years?\b|\bin (?:future|coming) years\b|\bafter the current contract\b"),
     re.compile(r"\bcontinues?\b|\bin theory\b", re.I),
     re.compile(r"\bfuture\b")),
    # How a tool works inside (how DERI's score is worked out): the sources do not say.
    ("method", "how it is worked out",
     re.compile(r"\bhow (?:is|are|does|do) (?:the |it |its |they )?[\w\s-]{0,40}?\b"
                r"(?:calculat\w*|worked out|work out|computed?|scored)\b|"
                r"\bwhat data (?:goes|go) into\b|\bwhich (?:datasets|data sets)\b"),
     re.compile(r"\bcalculat|\bdatasets?\b|\bdata sets?\b", re.I),
     re.compile(r"\bcalculat|\bmethod")),
    # Templates and model documents: the sources describe what to set out, and give none.
    ("template", "a template",
     re.compile(r"\btemplates?\b|\bclauses?\b|\bmodel (?:document|agreement|policy)\b"),
     re.compile(r"\btemplate|\bclause", re.I),
     re.compile(r"\btemplate")),
    # A year the sources never mention ("the 2025/26 contract"): they say nothing of it.
    ("year", "anything about that year",
     re.compile(r"\b(?:19|20)\d\d(?:/\d\d)?\b"),
     re.compile(r"(?!)"),  # judged by the year asked about (see missing_fact)
     re.compile(r"(?!)")),
    # The sources give no step-by-step procedures for systems or administration.
    ("procedure", "step-by-step instructions for that",
     re.compile(r"\bhow (?:do|can|should|would) (?:i|we|you|a pcn|practices) (?:configure|set up|"
                r"setup|install|enable|disable|get access|access|request|register|order|migrate|"
                r"switch|procure|buy|purchase|book|claim|submit|report|log in|sign in|reset|"
                r"integrate|upgrade|renew)\b|\bwhat is the process\b|"
                r"\bhow (?:do|can) (?:i|we) get (?:an?|the|my|our) (?:[\w-]+ )?(?:account|login|"
                r"licen[cs]e|smartcard)\b|\bhow (?:does|do|can) (?:a |the )?(?:patient|patients|"
                r"person|people|someone) (?:register|book|sign up|enrol|order|request)\b|"
                r"\bstep[- ]by[- ]step\b"),
     re.compile(r"\b(?:configur|install|procur|purchas|submit|regist|log in|sign in|step \d)",
                re.I),
     re.compile(r"\b(?:instructions|procedure|steps to)\b")),
    # The sources say nothing about regulation or compliance.
    ("regulation", "regulatory or compliance requirements",
     re.compile(r"\b(?:cqc|gdpr|dspt|dpia|regulations?|regulatory|regulators?|legislation|"
                r"(?:privacy|data protection) impact assessments?|"
                r"legal(?:ly)? requir\w*|legal difference|contract(?:ual)? terms|compliance|"
                r"compliant|care quality commission|tender|tenders|tendering|procurement rules)\b"),
     re.compile(r"\b(?:cqc|gdpr|regulat\w*|legislation|legal|complian\w*)\b", re.I),
     re.compile(r"\bregulat")),
    # The sources recommend no products, suppliers or platforms.
    ("recommendation", "a recommendation of products, suppliers or platforms",
     # ("the best way to get buy-in" asks how, not for a product.)
     re.compile(r"\b(?:which|what)\b[\w\s']{0,40}\bbest\b(?!\s+(?:way|ways|approach|thing|"
                r"things|practice|time|place|route|person|people|bet|to|for|at|of)\b)|"
                r"\bbest\s+(?!(?:way|ways|approach|thing|things|practice|time|place|route|person|"
                r"people|bet)\b)[\w-]+\s+(?:for|to)\b|"
                r"\bbest\s+(?:[\w-]+\s+){0,3}?(?:tools?|systems?|apps?|products?|suppliers?|"
                r"software|platforms?|vendors?|providers?|solutions?)\b|"
                r"\brecommend\w*\b[\w\s']{0,30}?\b(?:products?|suppliers?|"
                r"vendors?|systems?|apps?|platforms?|software|tools?|compan(?:y|ies)|brands?)\b|"
                r"\bsuppliers?\b|\bvendors?\b|"
                r"\b(?:which|what) (?:[\w-]+ )?(?:platform|product|supplier|software|app|vendor)s? "
                r"(?:does|do|did|should|would|is|are)\b"),
     re.compile(r"\brecommend|\bsuppliers?\b|\bvendors?\b"),
     re.compile(r"\brecommend")),
)
_PERSON_NAME_ASK = re.compile(
    rf"\bnames? of (?:the |their |her |his |that )?(?:[\w-]+ )?{_PERSON}\b|"
    rf"\b{_PERSON}(?:'s)? names?\b|"
    r"\bwho (?:exactly|specifically)\b|\bwho is (?:the|my|our) (?:[\w-]+ )?(?:contact|lead|"
    r"chair|ceo|head|person|manager|director) (?:for|at|in|of)\b"
)
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
    r"release)\b|\bsign it (?:with|as|in) (?:his|her|their)\b|\bendors(?:e|es|ing|ement)\b"
    r"[^.?!]{0,40}\b(?:my|our) (?:company|product|consultancy|business|firm|app)\b|"
    r"\bjust (?:confirm|say yes|agree)\b|\bno need to check\b|\bconfirm that and give\b|"
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
    r"\b(?:asked|asking|ask)\s+(?:you|the bot)\b|\b(?:show|paste|give|send) (?:me |us )?their "
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
    r"\bname and shame\b|\b(?:nasty|abusive|anonymous) (?:review|post|message|comment)\b|"
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
    r"\b(?:doesn't|does not|don't|do not) (?:actually |really )?exist\b|\bfake\b|"
    r"\bforg(?:e|ed|es|ing|ery)\b|"
    r"\bfraud\w*\b|\b(?:write|say|post) (?:something )?(?:really |very )?(?:rude|insulting|"
    r"offensive|nasty)\b|\b(?:write|say|post) something (?:really |very )?mean\b|"
    r"\bforget the nhs\b|\b(?:forget|ignore) (?:about )?the (?:documents?|sources?)\b|"
    r"\byour (?:own |personal )(?:opinion|view|views|thoughts)\b|"
    r"\byou(?:'re| are) (?:now )?(?:an? |my )[\w\s-]{1,30}? now\b|"
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
    r"\bbitcoin\b|\bprinters?\b|\bwi-?fi\b|\banother day,? another\b",
    re.IGNORECASE,
)
_PERSON_NAME = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Professor|Prof)\.? [A-Z][a-z]+")
# A sentence in which an entry says what its sources leave out ("The article gives no venue,
# date or year", "The summary does not name the two PCNs").
_NOT_GIVEN = re.compile(
    r"\b(?:gives? no|give no|does not (?:give|name|state|say|mention|list)|"
    r"doesn't (?:give|name|state|say)|not (?:given|named|stated)|leaves? [^.]{0,40}\bout)\b",
    re.I,
)


# "dose the toolkit say...": a typo of "does" at the start, not a question about a dose.
_DOES_TYPED_DOSE = re.compile(
    r"^(\s*)dose\s+(?=(?:the|it|this|that|a|an|my|our|your|anyone|everyone|he|she|they|we|i)\b)|"
    r"^(\s*(?:what|how|why|where|who|which|when)(?:\s+(?:often|much|many|long|far))?\s+)dose\s+"
    r"(?=[\w\s'-]{1,60}\b(?:mean|means|say|says|stand|cover|covers|work|help|meet|meets|need|"
    r"want|think|recommend|suggest|happen|involve|include|start|run|matter)\b)",
    re.IGNORECASE)
# "What does DFPC stand for": the term asked about.
_STANDS_FOR = re.compile(r"\b([\w&-]+) (?:(?:tool|programme|project|scheme|role|index) )?"
                         r"(?:actually |really |exactly )?(?:stands?|short) for\b")
# A percentage or proportion asked for, and given.
_SHARE_ASKED = re.compile(r"\b(?:percentage|proportion|percent|per cent)\b")
_SHARE_GIVEN = re.compile(
    r"\d\s*(?:%|per ?cent)|\b(?:half|a third|a quarter|most)\b|(?<!not )\ball\b", re.I)
# "How many PCNs": the thing counted; a number with up to three words and then that thing.
_HOW_MANY = re.compile(
    r"\bhow many (?:of (?:the |these |those )?(?:\d+ )?)?((?:[a-z]+ ){0,3}[a-z]+)")
_NUMBER_BEFORE = re.compile(
    r"\b(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"hundred|hundreds|dozen|dozens)\b((?:\W+[\w-]+){1,2})", re.I)
# "How many turned up", "how many had ...": people counted without naming them, so any number
# answers, or a word for how many ("most had NHS experience").
_COUNTS_PEOPLE = frozenset("""turned came attended went joined showed took had have has were
    was are is do did does said say think thought felt feel agreed got""".split())
_QUANTITY = re.compile(r"\b(?:most|many|few|majority|minority|handful|some|all|none)\b", re.I)
# An organisation by its name: capitalised words ending in what kind of body it is.
_ORGANISATION = re.compile(r"\b(?:[A-Z][a-z]+ ){1,5}(?:Partnership|Board|Trust|Council|Unit|"
                           r"Federation|Collaborative|Agency|Service)\b")
# What someone's job is, said in an entry ("clinical director of SMASH PCN").
_JOB = re.compile(r"\b(?:clinical director|director|manager|pharmacist|GP|partner|chair|"
                  r"officer|head of)\b", re.I)
# A "not given" sentence about more than the year: the date itself is missing.
_YEAR_ONLY_MISSING_DATE = re.compile(r"\b(?:no|not the|nor the) (?:dates?|days?|times?)\b")
# Asking for the date itself, not just when: a month does not answer it.
_EXACT_DATE = re.compile(r"\b(?:what|which|exact|on what)\s+(?:date|dates|day|days|time|times|"
                         r"years?)\b|\bwhen exactly\b|\byear exactly\b")
# "Which year", and a year as a number: only a number answers the first.
_WHICH_YEAR = re.compile(r"\b(?:what|which)\s+(?:calendar\s+)?years?\b|\byear exactly\b")
_A_YEAR = re.compile(r"\b(?:19|20)\d\d(?:/\d\d)?\b")
# An acronym spelt out in an entry: "Digital Exclusion Risk Index (DERI)".
_SPELT_OUT = re.compile(
    r"\b[A-Z][a-z]+(?: (?:[A-Z][a-z]+|and|of|for)){1,6} \(\*{0,2}([A-Z]{2,})\*{0,2}\)")

# The kind of thing whose name is asked for: "the name of the project", "the project called".
_NAME_OF = re.compile(r"\bname of (?:the |that |this |their |its )?([a-z]+)\b|"
                      r"\bwhat(?:'s| is| was) (?:the |that |this )?([a-z]+) called\b")
# Where a question in several parts breaks: after a question mark, or at "and" (", and",
# "and also") before the next question word.
_PART_BREAK = re.compile(
    r"(?<=\?)\s+|[,;]?\s+and\s+(?:also\s+)?(?=(?:how|what|when|who|where|why|which|is|are|do|"
    r"does|did|can|could|should|will|would)\b)|[,;]\s+(?=(?:how|what|when|who|where|why|which)\b)",
    re.I)
# ("who'd taken the role" is not a second question.)
_QUESTION_WORD = re.compile(r"\b(?:how|what|when|who|where|why|which)\b(?!'d)")
# A second question joined to the first: "..., and when is ...", "... and how often ...".
_SEVERAL_PARTS = re.compile(
    r"\b(?:how|what|when|who|where|why|which|is|are|do|does|can)\b[^?]*?(?:\band|\?)\s+"
    r"(?:also\s+)?(?:how|what|when|who|where|why|which|is|are|do|does|can)\b"
)


def not_given(body: str) -> str:
    """The entry's own sentences saying what its sources leave out, lowercased, joined."""
    return " ".join(s.lower() for s in re.split(r"(?<=[.!?])\s+", body) if _NOT_GIVEN.search(s))


@dataclass(frozen=True)
class _Asked:
    """A question as missing_fact reads it, and what it needs to know of the content."""

    text: str  # lowercased, with typographic apostrophes plain
    entry: Entry
    counts: Callable[[str], set[str]]
    known_term: Callable[[str], bool]


def _names_the_thing(asked: _Asked) -> bool:
    """Whether the question asks the name of one kind of thing ("the name of the project",
    "what's the project called") and the entry names one ("the Lighthouse Project")."""
    match = _NAME_OF.search(asked.text)
    noun = match and (match.group(1) or match.group(2))
    if not noun:
        return False
    # A name right before the noun: "Lighthouse Project", "Digital Exclusion Risk Index (DERI)
    # tool" (the sentence's first word, "The tool", names nothing).
    named = re.finditer(rf"(?:\b([A-Z][\w'-]*)|\([A-Z]{{2,}}\))\**\s+(?i:{noun})s?\b",
                        asked.entry.body)
    return any((m.group(1) or "").lower() not in STOPWORDS for m in named)


def _date_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    # "Which year exactly": only a year as a number answers it.
    if _WHICH_YEAR.search(asked.text) and not _A_YEAR.search(asked.entry.body):
        return False
    return bool(holds.search(asked.entry.body))


def _year_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    return any(year in asked.entry.body for year in _A_YEAR.findall(asked.text))


def _name_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    # Names of places and networks are judged by the entry's own "does not name" sentences.
    return not _PERSON_NAME_ASK.search(asked.text) or bool(_PERSON_NAME.search(asked.entry.body))


def _number_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    body = asked.entry.body
    if _SHARE_ASKED.search(asked.text):
        return bool(_SHARE_GIVEN.search(body))
    counted = _HOW_MANY.search(asked.text)
    if counted is None:
        return bool(holds.search(body))
    if counted.group(1).split()[0] in _COUNTS_PEOPLE:
        return bool(holds.search(body) or _QUANTITY.search(body))
    # "How many ICBs are there?": a number in the entry must count that very thing, the word
    # after it or the one after that ("eight main priorities").
    nouns = asked.counts(counted.group(1))
    return any(stem(word.lower()) in nouns for m in _NUMBER_BEFORE.finditer(body)
               for word in re.findall(r"[\w-]+", m.group(1)))


def _expansion_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    term = _STANDS_FOR.search(asked.text)
    if term is not None and asked.known_term(term.group(1)):
        return True
    # The entry spells out the acronym asked about (any, when none is named: "its acronym").
    spelt = {m.group(1).lower() for m in _SPELT_OUT.finditer(asked.entry.body)}
    return bool(holds.search(asked.entry.body)) or (
        term.group(1) in spelt if term is not None else bool(spelt))


def _comparison_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    match = asks.search(asked.text)
    body = f"{asked.entry.title} {asked.entry.body}".lower()
    return match is not None and all(
        re.search(rf"\b{re.escape(term.rstrip('s'))}", body) for term in match.groups())


def _results_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    # A figure, or the entry itself about the outcome asked for ("expected outcomes").
    said = " ".join((asked.entry.body, *asked.entry.phrasings)).lower()
    return bool(holds.search(asked.entry.body)) or any(
        re.search(rf"\b{noun}", asked.text) and re.search(rf"\b{noun}", said)
        for noun in ("result", "outcome", "finding"))


def _detail_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    # Given only if the entry says the very thing asked about ("university"), or, for an
    # organisation, names one ("the Greater Manchester Integrated Care Partnership").
    match = asks.search(asked.text)
    noun = match.group(0).split()[-1] if match else ""
    if noun in ("organisation", "organization") and _ORGANISATION.search(asked.entry.body):
        return True
    if noun in ("job", "position"):
        # "the ICS's job in all this": what a body is for, not a person's post.
        whose = re.search(r"([\w-]+)'s (?:actual |real |exact |current |day )?(?:job|position)",
                          asked.text)
        return (whose is not None and asked.known_term(whose.group(1))) or \
            _JOB.search(asked.entry.body) is not None
    return bool(re.search(rf"\b{re.escape(noun)}", asked.entry.body, re.I))


# Kinds whose "given?" is more than the `holds` pattern (see FACT_KINDS).
_GIVEN = {"date": _date_given, "year": _year_given, "name": _name_given,
          "number": _number_given, "expansion": _expansion_given, "detail": _detail_given,
          "results": _results_given, "comparison": _comparison_given}


def asks_a_fact(question: str) -> bool:
    """Whether the question asks for one of FACT_KINDS' kinds of fact at all."""
    text = question.lower().replace("\u2019", "'")
    return any(asks.search(text) for _, _, asks, _, _ in FACT_KINDS)


def missing_fact(question: str, entry: Entry, left_out: str | None = None, *,
                 counts: Callable[[str], set[str]] = lambda words: {stem(words.split()[0])},
                 known_term: Callable[[str], bool] = lambda term: False) -> str | None:
    """The kind of fact the question asks for that the entry does not give, named for the
    reply ("a date or time"), or None when the entry holds it or none is asked for.
    `left_out` is `not_given(entry.body)`, when already known; `counts(words)` the stems that
    count as what a "how many" counts; `known_term(term)` whether the glossary knows it."""
    asked = _Asked(question.lower().replace("\u2019", "'"), entry, counts, known_term)
    # A question in several parts ("how many met, how often, and when ...") may be answered
    # in the other parts: only the sharper kinds (money, links, names...) make it partial.
    several = len(_QUESTION_WORD.findall(asked.text)) > 1 or bool(
        _SEVERAL_PARTS.search(asked.text))
    not_given_text = not_given(entry.body) if left_out is None else left_out
    for kind, label, asks, holds, says_missing in FACT_KINDS:
        if not asks.search(asked.text):
            continue
        # "The name of the project": the entry names one ("the Lighthouse Project"), whatever
        # other names it says its source leaves out.
        if kind == "name" and _names_the_thing(asked):
            continue
        # The entry's own word that its source leaves this out holds for any question, except
        # that "gives no year" leaves a date it gives ("October") the answer to "when".
        if not_given_text and says_missing.search(not_given_text) and not (
                kind == "date" and holds.search(entry.body) and not _EXACT_DATE.search(
                    asked.text) and not _YEAR_ONLY_MISSING_DATE.search(not_given_text)):
            return label
        if several and kind in ("number", "date"):
            continue
        given = _GIVEN.get(kind)
        if not (given(asked, asks, holds) if given else holds.search(entry.body)):
            return label
    return None


# A name or acronym as typed: capitals ("CQC", "QOF") or mixed case ("accuRx", "NHSmail").
_NAME_TOKEN = re.compile(
    r"\b(?:[A-Z][A-Z0-9&]+s?|[A-Z]{2,}[a-z]+|[a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z]+[A-Z][A-Za-z]*)\b"
)
# The parts of a message: a glossary question may stand beside words saying where the term was met.
_PARTS = re.compile(r"\s+[-\u2013\u2014]+\s+|[,;:]\s+|(?<=[?.!])\s+")
# "What's that short for": the term is named in the rest of the message.
_PRONOUNS = frozenset({"it", "that", "this", "they", "them", "these", "those"})
# How alike (0-100) a question and one of an entry's phrasings are when it is asked in its words.
EXACT_LIKENESS = 90
# A question is refused as one the sources do not answer (declined.toml) when its overlap with
# one of those is at least DECLINED_OVERLAP and more than DECLINED_MARGIN above its overlap with
# the closest way of asking the entry it would get (fitted by cross-validation over the dev sets,
# each given the others' declined and asked questions).
DECLINED_OVERLAP, DECLINED_MARGIN = 0.4, 0.1
# A declined question of fewer words than this (stop words aside) says too little to refuse by
# ("thanks, that's really helpful" would refuse "what help is there for DTLs").
DECLINED_WORDS = 3
# A glossary term whose expansion says the sources never spell it out, asked what it stands for.
_NOT_SPELT_OUT = re.compile(r"\bnot spel(?:t|led) out\b", re.IGNORECASE)
_ASKS_EXPANSION = re.compile(
    r"\bstands? for\b|\bshort for\b|\bacronym\b|\babbreviation\b|\bfull name\b",
    re.IGNORECASE)
# Two or more capitalised words in a row ("GP Connect", "Greater Manchester"): a proper name.
_NAME_PHRASE = re.compile(r"\b[A-Z][\w&-]*(?:[ \t]+[A-Z][\w&-]*)+\b")
# A product named as a choice ("Accurx or Klinik", "Klinik vs Accurx") or as something to use.
_PRODUCT = re.compile(
    r"\b([A-Z][a-z]{2,})\s+(?:or|vs\.?|versus)\s+([A-Z][a-z]{2,})\b|"
    r"\b(?:use|using|switch(?:ing)? (?:to|from|over to)|move (?:to|over to)|moving to|install|"
    r"installing|buy|buying|choose|choosing|procure|procuring|licen[cs]e|licen[cs]ing|"
    r"roll(?:ing)? out|implement(?:ing)?|configure|configuring|integrate|integrating)\s+"
    r"([A-Z][a-z]{2,})\b")
# A word in title case ("Haslington"); the calendar's are so without naming anything.
_TITLE_CASE = re.compile(r"\b[A-Z][a-z]{2,}\b")
# Capitalised words that name nothing in particular.
_PLAIN_CAPITALS = frozenset({"uk", "ok", "faq", "faqs", "asap", "fyi", "eg", "ie", "etc", "q", "a"})

# PyStemmer keeps a cache of stems it has seen; sharing one is safe (the GIL guards it).
_STEMMER = Stemmer.Stemmer("english")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_GLOSSARY_QUESTION = re.compile(
    r"^(?:what|whats|what's|wat)\s+(?:(?:is|are|does|do)\s+)?(?:(?:an?|the)\s+)?"
    r"(?:(?:acronym|abbreviation|term)\s+)?(?P<term>[a-z0-9&-]+)(?:\s+(?:actually|really|exactly))?"
    r"(?:\s+(?:stand for|stands for|mean|means|short for))?"
    r"(?:\s+(?:actually|really|exactly|in full|again))?"
    # "... in the toolkit": where the term was met, not part of it.
    r"(?:\s+(?:in|from)\s+(?:the\s+|this\s+|that\s+)?(?:[a-z0-9-]+\s+){0,3}?"
    r"(?:toolkit|article|summary|sources?|documents?|piece))?$"
)


# "arrs stands for what", "pcn means what?": the term first.
_GLOSSARY_TERM_FIRST = re.compile(
    r"^(?P<term>[a-z0-9&-]+)\s+(?:stands?\s+for|means?|is\s+short\s+for)\s+what(?:\s+again)?$")


# Small talk, as whole messages (a greeting before a real question is just a stopword there).
_BOT = r"(?:\s+(?:there|bot|dtlbot|dtl\s+bot|all|everyone|folks|team|again|mate))?"
_WHAT_YOU_ARE = r"(?:an?\s+)?(?:real\s+)?(?:bot|robot|human|person|ai|chatgpt|chatbot|machine)"
SMALLTALK = (
    ("greeting", re.compile(
        r"^(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|hi\s+hello|good\s+(?:morning|afternoon|"
        r"evening|day)|morning|afternoon|evening)" + _BOT + r"(?:[\s,]+how\s+are\s+(?:you|u)"
        r"(?:\s+doing)?(?:\s+today)?|[\s,]+how's\s+it\s+going)?$")),
    ("thanks", re.compile(
        r"^(?:(?:ok(?:ay)?|great|brilliant|perfect|lovely|cool|nice|super|fab|excellent|"
        r"fantastic|amazing|awesome|good)[\s,!]*)?(?:thanks+|thank\s+(?:you|u)|thankyou|ty|"
        r"thx|ta|cheers|many\s+thanks|much\s+appreciated|appreciated)(?:\s+(?:very|so)\s+much"
        r"|\s+a\s+lot|\s+loads)?" + _BOT + r"(?:\s+for\s+(?:your|the|all\s+the|that|this)\s+"
        r"(?:help|info|information|answer|answers|advice))?(?:[\s,!]*(?:that(?:'s|s|\s+is|\s+was)\s+"
        r"(?:been\s+)?(?:really\s+|very\s+)?(?:helpful|great|useful|perfect)))?$"
        r"|^(?:that(?:'s|s|\s+is|\s+was)\s+)(?:been\s+)?(?:really\s+|very\s+|super\s+)?"
        r"(?:helpful|useful|"
        r"great|perfect|brilliant|what\s+i\s+needed)$")),
    ("who", re.compile(
        r"^(?:who|what)\s+(?:are|r)\s+(?:you|u)(?:\s+exactly)?$|^(?:are|r)\s+(?:you|u)\s+"
        + _WHAT_YOU_ARE + r"(?:\s+or\s+" + _WHAT_YOU_ARE + r")?$"
        r"|^(?:are|r)\s+(?:you|u)\s+" + _WHAT_YOU_ARE + r"\s+or\s+(?:is|are)\s+(?:there\s+)?"
        r"(?:someone|somebody|a\s+person|a\s+human|people|anyone)\b[\w\s'-]{0,60}$"
        r"|^what(?:'s|\s+is)\s+your\s+name(?:\s+(?:and\s+)?(?:are|r)\s+(?:you|u)\s+"
        + _WHAT_YOU_ARE + r")?$|^(?:who\s+(?:are|r)\s+(?:you|u)\s+and\s+)?who\s+(?:made|built|runs|"
        r"wrote|created|designed)\s+(?:you|u)$"
        r"|^introduce\s+yourself$|^tell\s+me\s+about\s+yourself$")),
    ("abilities", re.compile(
        r"^what\s+(?:can|do|could)\s+(?:you|u)\s+(?:do|help\s+(?:me\s+)?with|tell\s+me"
        r"(?:\s+about)?|know(?:\s+about)?|answer)$|^how\s+(?:can|do|could)\s+(?:you|u)\s+"
        r"help(?:\s+me)?$|^what\s+(?:can|should|could)\s+i\s+ask(?:\s+(?:you|u))?$"
        r"|^what\s+do\s+(?:you|u)\s+do$|^what\s+are\s+(?:you|u)\s+for$"
        r"|^(?:can|could)\s+(?:you|u)\s+help(?:\s+me)?$")),
    ("goodbye", re.compile(
        r"^(?:(?:ok(?:ay)?|thanks|thank\s+you|cheers|right)[\s,]+)*(?:bye+|goodbye|bye\s+bye|see\s+(?:you|ya|u)"
        r"(?:\s+later|\s+soon)?|later|good\s*night|night|that(?:'s|s)\s+all(?:\s+for\s+now)?|"
        r"ttyl|catch\s+(?:you|u)\s+later|have\s+a\s+(?:good|nice|great)\s+(?:day|one|evening))"
        + _BOT + "$")),
)


def smalltalk(text: str) -> str | None:
    """The kind of small talk a whole message is (greeting, thanks, who, abilities, goodbye)."""
    words = " ".join(re.sub(r"[^\w\s']+", " ", text.lower().replace("\u2019", "'")).split())
    for kind, pattern in SMALLTALK:
        if pattern.match(words):
            return kind
    return None


_PAIR_WORD = re.compile(r"[\w&-]+")


def word_pairs(text: str) -> Iterator[int]:
    """Each pair of adjacent words of the text, lowercased, as a hash (to test names cheaply)."""
    words = _PAIR_WORD.findall(text.lower())
    return (hash(pair) for pair in zip(words, words[1:], strict=False))


# A sentence: up to and with its full stop, question mark or exclamation mark.
_SENTENCE = re.compile(r"[^.?!]+(?:[.?!]+|$)")
# In a question of at least LONG_QUESTION words (stop words aside), how much a word the content
# never uses counts, against the rarest word it does (see _weights).
UNKNOWN_SHARE, LONG_QUESTION = 0.5, 6
# ... provided at least this share of its words are ones the content uses.
MOSTLY_KNOWN = 0.5
# How much the words of the sentences around a question count (see asked_and_context), when
# the question has at least CONTEXT_NEEDS words the content knows.
CONTEXT_SHARE, CONTEXT_NEEDS = 0.3, 3


def asked_and_context(text: str) -> tuple[str, str]:
    """The sentences that ask (end in a question mark) and the rest, the context the person
    gives ("We're a PCN of six practices."); all of it asks when no sentence ends in one."""
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    asking = [s for s in sentences if s.endswith("?")]
    if not asking or len(asking) == len(sentences):
        return text, ""
    return " ".join(asking), " ".join(s for s in sentences if not s.endswith("?"))


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; curly apostrophes folded, possessives kept whole."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem, applied alike to content and questions."""
    if word.endswith("'s"):
        word = word[:-2]
    return _STEMMER.stemWord(word)


def content_words(text: str) -> list[str]:
    return [stem(t) for t in tokenize(text) if t not in STOPWORDS]


def phrase_table(content: Content) -> list[tuple[re.Pattern[str], str]]:
    """Phrases read as one word: the synonyms file's, each acronym's expansion and aliases."""
    table = dict(content.phrases)
    for term in content.glossary.values():
        # An acronym that is also a common word ("IT") stays spelt out instead.
        if " " in term.expansion.strip() and term.term.lower() not in STOPWORDS:
            table.setdefault(term.expansion.lower(), term.term.lower())
        # Other spellings ("DTLs", the article's "DLT") read as the term itself.
        for alias in term.aliases:
            if alias.lower() != term.term.lower() and alias.lower() not in STOPWORDS:
                table.setdefault(alias.lower(), term.term.lower())
    # Longest first, so "primary care network" wins over "primary care".
    ordered = sorted(table.items(), key=lambda item: -len(item[0]))
    return [
        (re.compile(r"\b" + r"\s+".join(map(re.escape, phrase.split())) + r"s?\b"), word)
        for phrase, word in ordered
    ]


def first_word(pattern: re.Pattern[str]) -> str:
    """The literal text a phrase_table pattern starts with (up to its first space or "s?")."""
    body = pattern.pattern[2:]  # after the leading \b
    literal = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if body[i + 1] in "sb":  # \s+ between words, \b at the end
                break
            literal.append(body[i + 1])
            i += 2
            continue
        if char == "s" and body[i + 1:i + 2] == "?":
            break
        literal.append(char)
        i += 1
    return "".join(literal)


@dataclass(frozen=True)
class Answer:
    """The outcome of one question: the entry chosen (if any) and how sure the bot is."""

    question: str
    answered: bool
    score: float
    entry: Entry | None = None
    glossary: GlossaryTerm | None = None
    # answered | unknown | clinical | empty | smalltalk | suggest | partial
    reason: str = "answered"
    near: tuple[Entry, ...] = field(default=())
    # For small talk, its kind: greeting, thanks, who, abilities, goodbye.
    smalltalk: str | None = None
    # For a partial answer, the kind of fact asked for that the sources do not give.
    missing: str | None = None
    # The sentence or bullet of the entry that speaks to the question most, when it is not
    # the entry's first (the answer leads with it).
    passage: str | None = None
    # For a question in several parts, a second entry answering a part the first does not.
    also: tuple[Entry, ...] = field(default=())
    # For an answer the bot is unsure of, the next entries nearly as likely ("Not what you
    # meant? Perhaps: ...").
    alternatives: tuple[Entry, ...] = field(default=())

    @property
    def topic(self) -> str | None:
        if self.entry is not None:
            return self.entry.id
        if self.glossary is not None:
            return "glossary:" + self.glossary.term.lower()
        return None


@dataclass
class _Doc:
    entry: Entry
    fields: dict[str, set[str]]
    # The title and each phrasing as sorted word strings (likeness); their word sets are only
    # kept as `holding` and `phrasing_weights` (overlap).
    phrasings: list[str]
    # The body's sentences and bullets, as typed (to lead an answer).
    passages: list[str] = field(default_factory=list)
    # Its sentences saying what the sources leave out (see missing_fact).
    left_out: str = ""
    # Each distinct field strength, strongest first, with the words of the fields that have it.
    strengths: list[tuple[float, set[str]]] = field(default_factory=list)
    # Which passages hold each word, as bits: a question word is in few of an entry's passages.
    passage_bits: dict[str, int] = field(default_factory=dict)
    # Each phrasing set's summed word weights (for overlap), once the weights are known.
    phrasing_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Which phrasing sets hold each word: overlap looks only at those sharing a question word.
    holding: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class _Declined:
    """The questions the sources do not answer, indexed like an entry's phrasings."""

    kinds: list[str] = field(default_factory=list)
    phrasing_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    holding: dict[str, np.ndarray] = field(default_factory=dict)


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*(\"'])")


def _strengths(fields: dict[str, set[str]]) -> list[tuple[float, set[str]]]:
    """The fields' words grouped by FIELD_STRENGTH, strongest first."""
    grouped: dict[float, set[str]] = {}
    for name, words in fields.items():
        grouped.setdefault(FIELD_STRENGTH[name], set()).update(words)
    return sorted(grouped.items(), key=lambda item: -item[0])


def _bits(sets: list[set[str]]) -> dict[str, int]:
    """For each word, a bit for each of the sets that hold it."""
    bits: dict[str, int] = {}
    for number, words in enumerate(sets):
        for word in words:
            bits[word] = bits.get(word, 0) | (1 << number)
    return bits


def passages(body: str) -> list[str]:
    """An entry body's sentences and bullet points, in order, markup kept."""
    found: list[str] = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if _BULLET.match(line):
            found.append(_BULLET.sub("", line))
            continue
        found.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return found


class Embedder(Protocol):
    """A semantic model: texts to unit-length vectors, one row each (see bot.kernel.semantic)."""

    def vectors(self, texts: list[str]) -> np.ndarray: ...


class AnswerIndex:
    """An in-memory index of the content, rebuilt whenever the content is (re)loaded."""

    def __init__(self, content: Content, threshold: float = DEFAULT_THRESHOLD,
                 semantic: Embedder | None = None):
        self.content = content
        self.threshold = threshold
        self.semantic = semantic
        self._docs: dict[str, _Doc] = {}
        self._df: dict[str, int] = {}
        # Every pair of adjacent words the content says, hashed and sorted, for proper names.
        self._pairs = np.zeros(0, dtype=np.int64)
        self._expansions: dict[str, set[str]] = {}
        self._phrases = phrase_table(content)
        # Each phrase's first word as typed, for a cheap test before the regular expression.
        self._phrase_starts = [first_word(pattern) for pattern, _ in self._phrases]
        self._any_phrase = re.compile("|".join(f"(?:{p.pattern})" for p, _ in self._phrases)) \
            if self._phrases else None
        # "IT" in capitals is the acronym, "it" the pronoun: only case tells them apart.
        self._shouted = [
            (t.term, re.compile(rf"\b{re.escape(t.term)}\b"), t.expansion.lower())
            for t in set(content.glossary.values())
            if t.term.lower() in STOPWORDS and t.term.isupper()
        ]
        self._build()

    def _normalise(self, text: str) -> str:
        """Lowercase text with acronyms that look like common words ("IT") spelt out,
        and known phrases read as one word."""
        for term, pattern, expansion in self._shouted:
            # A plain substring test first, as below: few texts hold the acronym in capitals.
            if term in text:
                text = pattern.sub(expansion, text)
        lowered = text.lower().replace("\u2019", "'")
        # One search for any phrase first: most texts hold none.
        if self._any_phrase is None or not self._any_phrase.search(lowered):
            return lowered
        for (pattern, word), first in zip(self._phrases, self._phrase_starts, strict=True):
            # A plain substring test first: most phrases are absent from most texts.
            if first in lowered:
                lowered = pattern.sub(word, lowered)
        return lowered

    def _words(self, text: str) -> list[str]:
        return content_words(self._normalise(text))

    def _build(self) -> None:
        # Each text is read once, though a phrasing, say, is a field's words and a set of its own.
        normal = cache(self._normalise)

        def said(texts: Iterable[str]) -> list[str]:
            return [w for text in texts for w in content_words(normal(text))]

        columns = []
        # Each phrasing's words, until the weights are known to index them (then dropped: at
        # 10,000 entries they are a million sets for the garbage collector to walk).
        phrasing_sets: dict[str, list[set[str]]] = {}
        for entry in self.content.entries.values():
            words = {
                "title": said([entry.title]),
                "phrasings": said(entry.phrasings),
                "asked": said(self.content.asked.get(entry.id, ())),
                "tags": said(entry.tags),
                "body": said([entry.body]),
            }
            fields = {name: set(found) for name, found in words.items()}
            sets = [set(said([p])) for p in (entry.title, *self._said(entry))]
            phrasings = [" ".join(sorted(words)) for words in sets]
            texts = passages(entry.body)
            passage_sets = [set(said([t])) for t in texts]
            phrasing_sets[entry.id] = sets
            self._docs[entry.id] = _Doc(entry, fields, phrasings, texts,
                                        not_given(entry.body), _strengths(fields),
                                        _bits(passage_sets))
            for word in set().union(*fields.values()):
                self._df[word] = self._df.get(word, 0) + 1
            columns.append([words[name] for name in FIELD_STRENGTH])
        self._ids = list(self._docs)
        self._bm25 = FieldBM25(columns, BM25_WEIGHTS)
        # The short fields again on their own: a word common in bodies can still be searched
        # there cheaply, and an entry it names in a title or phrasing is not lost.
        self._short_bm25 = FieldBM25([c[:4] for c in columns], (1.0, 1.0, 1.0, 1.0))
        self._build_expansions()
        self._word_weight = {w: self._weight({w}) for w in self._df}
        for entry_id, sets in phrasing_sets.items():
            doc = self._docs[entry_id]
            doc.phrasing_weights, doc.holding = self._phrasing_index(sets)
        self._build_declined()
        self._pairs = np.unique(np.fromiter(
            (pair for e in self.content.entries.values()
             for text in (e.title, e.body, *self._said(e)) for pair in word_pairs(text)),
            dtype=np.int64))
        self._build_semantic()
        # A mistyped word is put right to a word of the content's own (as spelt there too, not
        # only its stem: "digtal" is one edit from "digital" but two from its stem "digit"),
        # never to one only an asked question uses: those keep their askers' typos ("DEIR").
        own_texts = [text for doc in self._docs.values() for text in (
            doc.entry.title, *doc.entry.phrasings, *doc.entry.tags, doc.entry.body)]
        surface = {t for text in own_texts for t in tokenize(normal(text))
                   if t.isalpha() and len(t) > 2}
        self._curated = set(said(own_texts))
        # The names it uses: words in title case after a sentence's first ("Haslington").
        self._names = {m.group(0).lower() for text in own_texts
                       for m in _TITLE_CASE.finditer(text)
                       if text[:m.start()].rstrip()[-1:] not in ("", ".", "?", "!", ":", "*")
                       and m.group(0).lower() not in STOPWORDS}
        vocabulary = (set(self._df) & self._curated) | set(self._expansions) | STOPWORDS | surface
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(vocabulary):
            self._by_initial.setdefault(word[0], []).append(word)

    def _phrasing_index(self, sets: list[set[str]]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Each word set's summed word weights, and which sets hold each word."""
        holding: dict[str, list[int]] = {}
        for n, words in enumerate(sets):
            for word in words:
                holding.setdefault(word, []).append(n)
        return (np.array([sum(self._word_weight[w] for w in words) for words in sets],
                         dtype=np.float64),
                {word: np.array(held, dtype=np.int64) for word, held in holding.items()})

    def _build_declined(self) -> None:
        self._declined = _Declined()
        sets = []
        for kind, questions in self.content.declined.items():
            for question in questions:
                words = set(self._words(question))
                if len(words) < DECLINED_WORDS:
                    continue
                for word in words:
                    if word not in self._word_weight:
                        self._word_weight[word] = self._weight({word})
                self._declined.kinds.append(kind)
                sets.append(words)
        self._declined.phrasing_weights, self._declined.holding = self._phrasing_index(sets)

    def _declined_kind(self, overlap_with_entry: float, concepts: list[set[str]],
                       weights: list[float]) -> str | None:
        """Why the question is one the sources do not answer, if it is asked nearly as one of
        declined.toml's, and more so than as a way of asking the entry it would get."""
        best, closest = self._closest([self._declined], concepts, weights)
        overlap, which = float(best[0]), int(closest[0])
        if overlap < DECLINED_OVERLAP:
            return None
        if overlap <= overlap_with_entry + DECLINED_MARGIN:
            return None
        return self._declined.kinds[which]

    def _said(self, entry: Entry) -> tuple[str, ...]:
        """How people ask for the entry: its phrasings and the questions asked.toml gives it."""
        return (*entry.phrasings, *self.content.asked.get(entry.id, ()))

    def _build_semantic(self) -> None:
        """Embed every entry once: one vector per text (title, each phrasing, each passage),
        and their normalised mean per entry to find candidates by meaning."""
        if self.semantic is None or not self._ids:
            return
        texts, owners = [], []
        for number, doc in enumerate(self._docs.values()):
            for text in (doc.entry.title, *self._said(doc.entry), *doc.passages):
                texts.append(text)
                owners.append(number)
        vectors = self.semantic.vectors(texts).astype(np.float32)
        self._text_vectors = vectors
        self._text_owner = np.array(owners)
        means = np.zeros((len(self._ids), vectors.shape[1]), dtype=np.float32)
        np.add.at(means, self._text_owner, vectors)
        means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
        self._entry_vectors = means
        # Each entry's texts as one slice of the text matrix (texts were added entry by entry).
        bounds = np.searchsorted(self._text_owner, np.arange(len(self._ids) + 1))
        self._slices = {i: (int(bounds[n]), int(bounds[n + 1])) for n, i in enumerate(self._ids)}

    def _semantic_scores(self, question: str, candidates: list[str]) -> tuple[dict[str, float],
                                                                              list[str]]:
        """Each candidate's best cosine with the question, plus the entries nearest in meaning."""
        if self.semantic is None or not self._ids:
            return {}, []
        vector = self.semantic.vectors([question])[0].astype(np.float32)
        by_entry = self._entry_vectors @ vector
        k = min(SEMANTIC_CANDIDATES, len(self._ids))
        nearest = np.argpartition(-by_entry, k - 1)[:k]
        extra = [self._ids[n] for n in nearest]
        scores = {}
        for entry_id in dict.fromkeys([*candidates, *extra]):
            start, end = self._slices[entry_id]
            scores[entry_id] = float(np.max(self._text_vectors[start:end] @ vector))
        return scores, extra

    def _mistyped_acronyms(self, question: str) -> str:
        """The question with acronyms typed in capitals one slip away from exactly one the
        glossary knows ("PNC" -> PCN, "ARSS" -> ARRS) written as that one."""
        def fix(match: re.Match[str]) -> str:
            token = match.group(0)
            word = token.lower()
            if len(word) < 3 or not token.isupper() or self.content.glossary_lookup(word) or \
                    stem(word) in self._curated:
                return token
            near = [t for t in self.content.glossary if OSA.distance(word, t) == 1]
            return near[0].upper() if len(near) == 1 else token
        return _NAME_TOKEN.sub(fix, question)

    def _foreign_names(self, question: str) -> list[str]:
        """Names and acronyms the content never uses ("CQC", "accuRx"): a question about one of
        them is about something the sources do not cover, however well its other words match.
        (Names of several words are `_foreign_phrases`.)"""
        found = []
        for token in _NAME_TOKEN.findall(question):
            word = token.lower()
            if word in STOPWORDS or word in _PLAIN_CAPITALS or len(word) < 2:
                continue
            if self.content.glossary_lookup(word) is not None:
                continue
            words = self._words(token)
            if words and all(w in self._df or w in self._expansions for w in words):
                continue
            found.append(token)
        return found

    def _foreign_words(self, question: str) -> list[str]:
        """Products the content never names, as a choice between two ("is Accurx or Klinik
        better") or something to use ("should we switch to Klinik"): about something else.
        (A name alone may be a person or a place, and the question still the content's.)"""
        found = []
        for match in _PRODUCT.finditer(question):
            names = [name for name in match.groups() if name]
            if all(self._unknown_name(name) for name in names):
                found.extend(names)
        return found

    def _unknown_name(self, name: str) -> bool:
        """Whether a word in title case is none the content uses, nor a slip for one."""
        word = name.lower()
        if word in STOPWORDS or word in _CALENDAR or self.content.glossary_lookup(word):
            return False
        words = self._words(word)
        return bool(words) and not any(w in self._df or w in self._expansions for w in words) \
            and self._correct(word) is None

    def _foreign_phrases(self, question: str) -> list[str]:
        """Proper names of two or more words ("GP Connect") that the content never says, even
        when each word of them is common there ("GP", "connect")."""
        found = []
        for match in _NAME_PHRASE.finditer(question):
            words = match.group(0).split()
            if match.start() == 0 or question[:match.start()].rstrip().endswith((".", "?", "!")):
                words = words[1:]  # a sentence's first word is capitalised anyway
            # Acronyms side by side ("CSU IT") are checked one by one above; a name has a word
            # in title case ("GP Connect").
            if len(words) < 2 or words[0] == "I" or not any(
                    re.fullmatch(r"[A-Z][a-z]+", w) for w in words):
                continue
            if not self._known_parts([w.lower() for w in words]):
                found.append(" ".join(words))
        return found

    def _known_parts(self, words: list[str]) -> bool:
        """Whether the words split into parts the content knows: phrases it says, names it
        uses or terms its glossary holds ("Greater Manchester" + "PCNs", "Haslington" + "PCN")."""
        def known(part: list[str]) -> bool:
            phrase = " ".join(part)
            return self.content.glossary_lookup(phrase) is not None or (
                self._says(phrase) if len(part) > 1 else phrase in self._names)

        ends = {0}
        for end in range(1, len(words) + 1):
            if any(known(words[start:end]) for start in ends if start < end):
                ends.add(end)
        return len(words) in ends

    def _counted(self, phrase: str) -> set[str]:
        """The stems that count as what a question counts, its first two words and their
        synonyms ("how many key priorities" -> key, prioriti; "how many primary care networks"
        -> pcn and its synonyms)."""
        words = self._words(phrase)
        return {w for word in words[:2] for w in {word} | self._expansions.get(word, set())}

    def _says(self, phrase: str) -> bool:
        """Whether the content has these words side by side somewhere (each adjacent pair)."""
        wanted = np.fromiter(word_pairs(phrase), dtype=np.int64)
        at = np.searchsorted(self._pairs, wanted)
        return bool(np.all(at < len(self._pairs)) and
                    np.array_equal(self._pairs[np.minimum(at, len(self._pairs) - 1)], wanted))

    def _matched(self, doc: _Doc, concepts: list[set[str]], *, short: bool = False) -> set[int]:
        """Which of the question's concepts the entry speaks to: in any field, or (short)
        in its title, phrasings, asked questions or tags only."""
        names = ("title", "phrasings", "asked", "tags") if short else tuple(doc.fields)
        every = set().union(*(doc.fields[name] for name in names))
        return {n for n, concept in enumerate(concepts) if concept & every}

    def _other_part(self, question: str, concepts: list[set[str]], weights: list[float],
                    scored: list[tuple[float, float, str, int]]) -> tuple[Entry, ...]:
        """For a question in several parts ("how many met, and when is the next one?"), the
        entries that answer its other parts, each asked on its own; failing that, the next entry
        above the threshold that answers words the best entry leaves out."""
        answered = self._parts_answered(question, scored[0][2])
        if answered:
            return answered
        if not _SEVERAL_PARTS.search(question.lower()) or len(scored) < 2:
            return ()
        best = self._docs[scored[0][2]]
        covered = self._matched(best, concepts)
        total = sum(weights)
        for _, confidence, entry_id, _ in scored[1:ALSO_LOOKS]:
            if confidence < self.threshold:
                continue
            # What the other part asks must be what this entry is about, not a passing word.
            extra = self._matched(self._docs[entry_id], concepts, short=True) - covered
            if sum(weights[n] for n in extra) / total >= ALSO_SHARE:
                return (self._docs[entry_id].entry,)
        return ()

    def _parts_answered(self, question: str, best_id: str) -> tuple[Entry, ...]:
        """The entries that answer the question's other parts each asked on its own ("who is
        the toolkit for, and can you download it?"), besides the best entry."""
        found: dict[str, Entry] = {}
        parts = [part.strip() for part in _PART_BREAK.split(question) if part.strip()]
        if len(parts) < 2:
            return ()
        own = set().union(*(words for name, words in self._docs[best_id].fields.items()
                            if name != "asked"))
        for part in parts:
            # A part the best entry already speaks to is answered by it: not asked again.
            _, concepts, _ = self._concepts(part)
            weights = self._weights(concepts)
            held = sum(w for concept, w in zip(concepts, weights, strict=True) if concept & own)
            if not concepts or held >= PART_COVERED * sum(weights):
                continue
            answer = self.ask(part, whole=False)
            if answer.answered and answer.entry is not None and answer.entry.id != best_id:
                found.setdefault(answer.entry.id, answer.entry)
        return tuple(found.values())[:ALSO_MOST]

    def _alternatives(self, scored: list[tuple[float, float, str, int]],
                      also: tuple[Entry, ...]) -> tuple[Entry, ...]:
        """When the best entry is answered without much confidence, the next ones that rank
        almost as high and would be answered on their own (at most ALTERNATIVES)."""
        best_rank, best_confidence = scored[0][0], scored[0][1]
        if best_confidence >= UNSURE:
            return ()
        shown = {e.id for e in also}
        return tuple(self._docs[entry_id].entry for rank, confidence, entry_id, _ in
                     scored[1:1 + ALTERNATIVES]
                     if confidence >= self.threshold and best_rank - rank <= CLOSE_RANK
                     and entry_id not in shown)

    def _passage(self, doc: _Doc, concepts: list[set[str]], weights: list[float]
                 ) -> tuple[float, int]:
        """How much of the question the entry's best passage covers, and which passage."""
        gained: dict[int, float] = {}
        bits = doc.passage_bits
        for concept, weight in zip(concepts, weights, strict=True):
            held = 0
            for word in concept:
                held |= bits.get(word, 0)
            while held:
                lowest = held & -held
                number = lowest.bit_length() - 1
                gained[number] = gained.get(number, 0) + weight
                held ^= lowest
        best, which = 0.0, -1
        total = sum(weights)
        for number in sorted(gained):
            if gained[number] / total > best:
                best, which = gained[number] / total, number
        return best, which

    def _build_expansions(self) -> None:
        """Map each query word to the words that also count for it (synonyms, acronyms)."""
        for group in self.content.synonyms:
            stems = {stem(w) for word in group for w in tokenize(word) if w not in STOPWORDS}
            for word in stems:
                self._expansions.setdefault(word, set()).update(stems)
        for term in set(self.content.glossary.values()):
            names = {stem(n.lower()) for n in (term.term, *term.aliases) if " " not in n}
            # Only the acronym's own spellings: its expansion is already read as the
            # acronym (see phrase_table), and its words alone ("digital") mean less.
            for name in names:
                self._expansions.setdefault(name, set()).update(names)

    def _correct(self, token: str) -> str | None:
        """The vocabulary word a mistyped token most likely meant, or None.

        Strict on purpose: a real word the content lacks ("share", "weather") must not
        become one it has ("shame", "whether"), so only longer words get an edit, and
        short ones only a transposition ("teh").
        """
        if len(token) < 3 or not token[0].isalpha():
            return None
        candidates = self._by_initial.get(token[0], [])
        if len(token) >= 6:
            max_distance = 1 if len(token) < 9 else 2
            # OSA: a swapped pair of letters ("inclusoin") is one edit, as a person sees it.
            match = process.extractOne(
                token, candidates, scorer=OSA.distance, score_cutoff=max_distance
            )
            if match is not None:
                return match[0]
        for candidate, _, _ in process.extract(
            token, candidates, scorer=OSA.distance, score_cutoff=1, limit=5
        ):
            if sorted(candidate) == sorted(token):
                return candidate
        return None

    def _concepts(self, question: str) -> tuple[list[str], list[set[str]], bool]:
        """Query words (stemmed, corrected), each with the stems that count for it; clinical?"""
        words: list[str] = []
        concepts: list[set[str]] = []
        text = _NOT_CLINICAL.sub(" ", self._normalise(question))
        clinical = _CLINICAL_PHRASES.search(text) is not None
        for token in tokenize(text):
            if token in CLINICAL_WORDS:
                clinical = True
            if token in STOPWORDS:
                continue
            word = stem(token)
            also: set[str] = set()
            if word not in self._expansions and word not in self._curated:
                corrected = self._correct(token)
                if corrected is not None and word not in self._df:
                    if corrected in STOPWORDS:
                        continue
                    word = stem(corrected)
                elif corrected is not None and corrected not in STOPWORDS:
                    # A typo some asked question shares ("patinet") still means the word.
                    also = {stem(corrected)} | self._expansions.get(stem(corrected), set())
            words.append(word)
            concepts.append({word} | self._expansions.get(word, set()) | also)
        return words, concepts, clinical

    def _weight(self, concept: set[str]) -> float:
        """Rarer words say more; smoothed so that common words still count for something."""
        df = max((self._df.get(w, 0) for w in concept), default=0)
        return 1.0 + math.log((len(self._docs) + 1) / (df + 0.5))

    def _weights(self, concepts: list[set[str]]) -> list[float]:
        """Each concept's weight in this question. In a long question a word the content never
        uses counts UNKNOWN_SHARE as much: people ask in words of their own ("rationale",
        "stakeholders"), and they must not sink a question the rest of which the content
        answers; in a short one it is likely what the question is about ("weather")."""
        known = [bool(c & self._df.keys()) for c in concepts]
        # ... but a question mostly in words the content never uses is about something else.
        long = len(concepts) >= LONG_QUESTION and sum(known) >= MOSTLY_KNOWN * len(concepts)
        return [self._weight(c) * (UNKNOWN_SHARE if long and not k else 1.0)
                for c, k in zip(concepts, known, strict=True)]

    def _coverage(self, doc: _Doc, concepts: list[set[str]], weights: list[float]) -> float:
        gained = 0.0
        for concept, weight in zip(concepts, weights, strict=True):
            gained += weight * next(
                (strength for strength, words in doc.strengths if concept & words), 0.0)
        return gained / sum(weights)

    def _closest(self, docs: Sequence[_Doc | _Declined], concepts: list[set[str]],
                 weights: list[float]) -> tuple[np.ndarray, np.ndarray]:
        """For each of `docs`, the overlap (rarity-weighted Jaccard) with the closest of the
        phrasings it indexes, and which phrasing that is (-1 when none shares a word)."""
        # Array arithmetic over the phrasings that share a question word, for all the docs at
        # once: an entry may hold hundreds of asked questions, declined.toml a thousand, and
        # numpy's cost is per call.
        shared_rows: list[np.ndarray] = []
        shared_concepts: list[int] = []
        held_rows: list[np.ndarray] = []
        held_weights: list[float] = []
        held_offsets: list[int] = []
        offsets: list[int] = []
        starts: list[int] = []
        offset, synonyms = 0, False
        for doc in docs:
            holding = doc.holding
            starts.append(offset)
            seen: set[str] = set()
            for number, concept in enumerate(concepts):
                hits = 0
                for word in concept:
                    rows = holding.get(word)
                    if rows is None:
                        continue
                    hits += 1
                    shared_rows.append(rows)
                    shared_concepts.append(number)
                    offsets.append(offset)
                    if word not in seen:
                        seen.add(word)
                        held_rows.append(rows)
                        held_offsets.append(offset)
                        held_weights.append(self._word_weight[word])
                synonyms = synonyms or hits > 1
            offset += len(doc.phrasing_weights)
        none = np.full(len(docs), -1, dtype=np.int64)
        if not shared_rows:
            return np.zeros(len(docs)), none
        lengths = [len(rows) for rows in shared_rows]
        phrasing = np.concatenate(shared_rows) + np.repeat(offsets, lengths)
        concept = np.repeat(shared_concepts, lengths)
        if synonyms:
            # A phrasing holding two words of one concept (synonyms) counts it once.
            key = np.unique(phrasing * len(concepts) + concept)
            phrasing, concept = key // len(concepts), key % len(concepts)
        shared = np.bincount(phrasing, weights=np.asarray(weights)[concept], minlength=offset)
        held_lengths = [len(rows) for rows in held_rows]
        held = np.bincount(np.concatenate(held_rows) + np.repeat(held_offsets, held_lengths),
                           weights=np.repeat(held_weights, held_lengths), minlength=offset)
        totals = np.concatenate([doc.phrasing_weights for doc in docs])
        scores = shared / (sum(weights) + totals - held)
        best = np.maximum.reduceat(scores, starts)
        at_best = np.flatnonzero(scores == np.repeat(best, np.diff([*starts, offset])))
        which = at_best[np.searchsorted(at_best, starts)] - np.asarray(starts)
        # No phrasing sharing a word: no closest one.
        which[best <= 0] = -1
        return best, which

    def _candidates(self, concepts: list[set[str]], most: int = CANDIDATES
                    ) -> list[tuple[str, float]]:
        """Entry ids with their bm25 relevance (higher is better), best first.

        The rarer words against everything (query pruning: a word in most entries adds
        little to bm25 but adds thousands of rows to score), and, when words were
        pruned, every word against a second index of the short fields only.
        """
        # Rarest first, ties by spelling: the same question always searches the same words.
        words = sorted({w for c in concepts for w in c if w in self._df},
                       key=lambda w: (self._df[w], w))
        if not words:
            return []
        common = max(COMMON_FRACTION * len(self._docs), COMMON_FLOOR)
        rarer = [w for w in words if self._df[w] <= common][:MAX_TERMS]
        found: dict[str, float] = {}
        if rarer:
            found = {self._ids[i]: score for i, score in self._bm25.top(rarer, most)}
        if len(rarer) < len(words):
            for i, _ in self._short_bm25.top(words[:MAX_TERMS], most):
                # Found only through the short fields: no bm25 credit, as the scores of a
                # differently weighted search would not compare.
                found.setdefault(self._ids[i], 0.0)
        return sorted(found.items(), key=lambda item: -item[1])

    def glossary_answer(self, question: str) -> GlossaryTerm | None:
        """A glossary term, when the question is just 'what is X' / 'what does X stand for',
        perhaps beside words saying where X was met ("what's a DLT - the article keeps
        saying it", "the toolkit keeps saying PCNs, what's that short for")."""
        asked = " ".join(tokenize(question))
        match = _GLOSSARY_QUESTION.match(asked) or _GLOSSARY_TERM_FIRST.match(asked)
        if match is not None:
            return self.content.glossary_lookup(match.group("term"))
        parts = [part for part in _PARTS.split(question) if part.strip()]
        for number, part in enumerate(parts if len(parts) > 1 else ()):
            match = _GLOSSARY_QUESTION.match(" ".join(tokenize(part)))
            if match is None:
                continue
            others = [*parts[:number], *parts[number + 1:]]
            # A second question beside it ("what is DERI, and how is it used?") is not
            # answered by the glossary alone.
            if any("?" in other or _QUESTION_WORD.match(other.strip().lower())
                   for other in others):
                return None
            name = match.group("term")
            if name not in _PRONOUNS:
                return self.content.glossary_lookup(name)
            named = {found.term for other in others for token in _NAME_TOKEN.findall(other)
                     if (found := self.content.glossary_lookup(token)) is not None}
            return self.content.glossary_lookup(named.pop()) if len(named) == 1 else None
        return None

    def ask(self, question: str, *, whole: bool = True) -> Answer:
        """Choose the entry that answers the question, or say why none does. (`whole` is
        false for one part of a question asked on its own: no other parts are looked for.)"""
        kind = smalltalk(question)
        if kind is not None:
            return Answer(question, answered=False, score=0.0, reason="smalltalk",
                          smalltalk=kind)
        if ADVERSARIAL.search(question) or OFF_TOPIC.search(question):
            # Refused; a clinical one ("forget the documents, which antidepressant ...?") with
            # the clinical reply.
            clinical = self._concepts(question)[2]
            return Answer(question, answered=False, score=0.0,
                          reason="clinical" if clinical else "unknown")
        # What is matched: the question with "dose the..." read as "does the..." and acronyms
        # mistyped in capitals put right (the answer still quotes the question as typed).
        text = self._mistyped_acronyms(_DOES_TYPED_DOSE.sub(
            lambda m: f"{m.group(1) or m.group(2) or ''}does ", question))
        asked, context = asked_and_context(text)
        words, concepts, clinical = self._concepts(asked)
        context_words, context_concepts, context_clinical = self._concepts(context)
        clinical = clinical or context_clinical
        if clinical:
            return Answer(question, answered=False, score=0.0, reason="clinical")
        # "What does DFPC stand for in full? The toolkit never spells it out.": the question.
        term = self.glossary_answer(text) or (
            self.glossary_answer(asked) if context and _ASKS_EXPANSION.search(asked) else None)
        if term is not None:
            if _NOT_SPELT_OUT.search(term.expansion) and _ASKS_EXPANSION.search(text):
                # "What does DFPC stand for?": the term is known, what the letters mean is not.
                return Answer(question, answered=False, score=1.0, glossary=term,
                              reason="partial", missing="what the letters stand for")
            return Answer(question, answered=True, score=1.0, glossary=term)
        if not concepts and not context_concepts:
            return Answer(question, answered=False, score=0.0, reason="empty")
        # What the person says about themselves before the question counts for less, unless
        # the question itself says little the content knows ("... Is that unusual?").
        known = sum(1 for c in concepts if c & self._df.keys())
        share = CONTEXT_SHARE if known >= CONTEXT_NEEDS else 1.0
        asked_count = len(concepts)
        concepts = [*concepts, *context_concepts]
        weights = [w * (1.0 if n < asked_count else share)
                   for n, w in enumerate(self._weights(concepts))]
        query_key = " ".join(sorted(set(words or context_words)))
        scored: list[tuple[float, float, str, int]] = []
        # A part of a question, asked on its own, is short: fewer candidates will do.
        candidates = self._candidates(concepts, CANDIDATES if whole else PART_CANDIDATES)
        best_bm25 = candidates[0][1] if candidates and candidates[0][1] > 0 else 1.0
        semantic, nearest = self._semantic_scores(text, [i for i, _ in candidates])
        found = dict(candidates)
        for entry_id in nearest:
            found.setdefault(entry_id, 0.0)
        overlap_of = dict(zip(found, self._closest([self._docs[i] for i in found], concepts,
                                                   weights)[0].tolist(), strict=True))
        for entry_id, relevance in found.items():
            doc = self._docs[entry_id]
            passage, which = self._passage(doc, concepts, weights)
            signals = {
                "coverage": self._coverage(doc, concepts, weights),
                "likeness": process.extractOne(query_key, doc.phrasings,
                                               scorer=fuzz.ratio)[1] / 100,
                "bm25": relevance / best_bm25,
                "overlap": overlap_of[entry_id],
                "passage": passage,
                "semantic": max(0.0, semantic.get(entry_id, 0.0) - SEMANTIC_FLOOR)
                / (1.0 - SEMANTIC_FLOOR),
            }
            rank_score = sum(w * signals[k] for k, w in RANK_WEIGHTS.items())
            confidence = sum(w * signals[k] for k, w in CONFIDENCE_WEIGHTS.items())
            scored.append((rank_score, confidence, entry_id, which))
        if not scored:
            return Answer(question, answered=False, score=0.0, reason="unknown")
        scored.sort(key=lambda item: -item[0])
        _, best_score, best_id, which = scored[0]
        best_score = round(best_score, 4)
        named = self._foreign_phrases(text)
        foreign = self._foreign_names(text) + named
        if best_score >= self.threshold and not foreign:
            doc = self._docs[best_id]
            entry = doc.entry
            # Asked in the very words of one of its phrasings (an answer organisers wrote for
            # this question): the entry is the answer, whatever kind of fact it looks for.
            # (Its own phrasings only: a question asked.toml gives it may be close to one it
            # cannot answer, "what date and venue" beside "is there a date and venue".)
            own = (entry.title, *entry.phrasings)
            close = [(phrasing, key) for phrasing, key in zip(own, doc.phrasings, strict=False)
                     if fuzz.ratio(query_key, key) >= EXACT_LIKENESS]
            asked_so = bool(close)

            def lacks(asked: str) -> str | None:
                return missing_fact(
                    asked, entry, doc.left_out, counts=self._counted,
                    known_term=lambda term: self.content.glossary_lookup(term) is not None)

            missing = lacks(text)
            # ... in its very words, or a phrasing that asks for that kind of fact too: "who
            # ran the Lighthouse Project" is a word away from "when did it run", a date it lacks.
            # In its very words, a phrasing that asks for no kind of fact ("Setting up GP
            # Connect") vouches too; one asking for another kind ("who pays for a DTL" beside
            # "dtl pay?") does not.
            if missing is not None and any(
                    lacks(phrasing) == missing or (key == query_key and not asks_a_fact(phrasing))
                    for phrasing, key in close):
                missing = None
            if missing is not None:
                return Answer(question, answered=False, score=best_score, entry=entry,
                              reason="partial", missing=missing)
            if self._foreign_words(text):
                return Answer(question, answered=False, score=best_score, reason="unknown")
            declined = None if asked_so else self._declined_kind(overlap_of[best_id], concepts,
                                                                     weights)
            if declined is not None:
                return Answer(question, answered=False, score=best_score,
                              reason="clinical" if declined == "clinical" else "unknown")
            lead = doc.passages[which] if which > 0 else None
            also = self._other_part(text, concepts, weights, scored) if whole else ()
            return Answer(question, answered=True, score=best_score, entry=entry, passage=lead,
                          also=also, alternatives=self._alternatives(scored, also))
        if named or self._foreign_words(text):
            # About something the sources never name ("GP Connect"): topics that share its other
            # words are no help, so no "did you mean".
            return Answer(question, answered=False, score=best_score, reason="unknown")
        # Asked nearly as a question the sources do not answer: refused, never "did you mean".
        declined = self._declined_kind(overlap_of[best_id], concepts, weights)
        if declined is not None:
            return Answer(question, answered=False, score=best_score,
                          reason="clinical" if declined == "clinical" else "unknown")
        lower = self.threshold * SUGGEST_FRACTION
        near = tuple(self._docs[i].entry for _, c, i, _ in scored[:SUGGESTIONS] if c >= lower)
        return Answer(question, answered=False, score=best_score,
                      reason="suggest" if near else "unknown", near=near)
