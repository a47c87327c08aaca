"""What a question asks for (an amount, a date, a name...) and whether an entry gives it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.kernel.answers.words import CALENDAR, STOPWORDS, stem
from bot.kernel.content import Entry

# A pattern that matches nothing: for kinds whose "given?" or "not given" is judged otherwise.
_NEVER = re.compile(r"(?!)")


# Questions that ask for one kind of fact (an amount, a date, a link, a name, a figure): when the
# chosen entry does not hold that kind of fact, or says the sources do not give it, the answer
# is partial: it says so first, then what the sources do say. (kind, how the kind is named in
# the reply, what asks for it, what in an entry holds it, the words a "not given" sentence uses)
_MONEY = r"(?:cost|costs|costed|pay|pays|paid|salary|salaries|wage|wages|earn|earns|budget|" \
    r"budgets|funding|money|cash|grant|grants|price|fee|fees|band|claim|spend|spent|worth|" \
    r"receive|received|reimburse|reimbursed|reimbursement|reimbursements)"


# A message of at most six words that ends in one of these ("lighthouse project budget").
_ENDS_SHORT = r"^\W*(?:[\w'-]+\W+){{0,5}}?(?:{})\W*$"


# "What's the difference between an ICB and an ICS?": the two things compared.
_COMPARED = re.compile(r"\bdifferences? between (?:an? |the )?([\w-]+(?: [\w-]+)?) and "
                       r"(?:an? |the )?([\w-]+)\b|"
                       r"\bhow (?:is|are|does|do) (?:an? |the )?([\w-]+(?: [\w-]+)?) (?:role )?"
                       r"(?:different|differ|compare) (?:from|to|with) (?:an? |the )?"
                       r"([\w-]+(?: [\w-]+)?)\b")
# Words by which an entry sets two things against each other.
_CONTRASTED = re.compile(r"\b(?:differ\w*|unlike|whereas|compared|rather than|not the same|"
                         r"distinct|versus|while|but|than|instead|yet|overlap\w*|linked)\b")


# "How much of her time does she spend on it": a share of time, not money.
_NOT_TIME = r"(?! (?:of )?(?:(?:her|his|their|your|my|our|the|its|a) )?(?:time|week|day|month))"


_PERSON = r"(?:pharmacist|person|author|lead|dtl|woman|man|chair|director|manager|writer|she|he)"


# "Which federations were involved", "which neighbouring PCNs decided not to": bodies by name.
_BODIES_NAMED = re.compile(
    r"\bwhich (?:two |2 |other |neighbouring |nearby |local )?(?:[\w-]+ ){0,3}?"
    r"(pcns?|networks?|practices|federations?|collaboratives?|boroughs?|localities|"
    r"councils|authorities|icbs|icss|trusts)\b[\w\s/-]{0,40}?\b(?:were|was|took part|did|have|has|"
    r"are named|decided|turned|worked|joined|went|appointed|chose)\b")


# "Who else helps run the forum apart from Dr Paul?": someone besides the people named.
_ELSE = re.compile(r"\bwho else\b|\bapart from\b|\bbesides\b|\bother than\b|\balongside\b")


# "Who chairs the forum", "who else helps run it", "who is on the programme team": whoever
# runs or sits on something, asked for by name (in the name kind and in _PERSON_NAME_ASK).
_WHO_RUNS = r"who (?:chairs|chaired|hosts|hosted|facilitates|organises|organizes)|" \
    r"who(?:'s| is) (?:hosting|organising|organizing|chairing)|" \
    r"who (?:else )?(?:helps? (?:to )?run|led|was on|were on|sat on)|" \
    r"who(?:'s| is| are) on (?:the|that)"


# "Who were the champions and sponsors in the GM pilots": particular people, in the past.
_WHO_WERE_THE = r"who (?:were|was|are|will be) the [\w\s-]{1,40}? (?:in|on|at|for|behind|during) " \
    r"(?:the|that|those|these|each|either|both)"


FACT_KINDS: tuple[tuple[str, str, re.Pattern[str], re.Pattern[str], re.Pattern[str]], ...] = (
    ("amount", "a salary, cost or amount of money",
     re.compile(rf"\bhow much\b{_NOT_TIME}.*\b{_MONEY}\b|"
                r"\bwhat\b.*\b(?:salary|salaries|wage|wages|band|"
                rf"budget(?! (?:problems?|issues?|pressures?|constraints?|challenges?|gaps?))|"
                rf"price|fee|fees)\b|£|"
                # ("to protect her salary" is hers, not one asked for.)
                r"(?<!her )(?<!his )(?<!their )(?<!my )(?<!our )(?<!your )(?<!own )"
                r"\b(?:salary|salaries|wages?)\b|\bcosted\b|"
                rf"\bmake up\b.*\bbudget\b|\bhow much\b{_NOT_TIME}.*\bcost|\bcost of\b|"
                rf"\b(?:maximum|minimum|total) (?:reimbursement|amount|funding|cost|budget)\b|"
                r"\bpay (?:band|scale|grade)\b|\bcosts? anything\b|\bdoes (?:it|that|this) cost\b|"
                r"\blump sum\b|\bticket (?:cost|price)s?\b|\bcost to attend\b|\bpay ?rises?\b|"
                r"\bis (?:it|that|this) free\b|\bis (?:the |it |this |that )?[\w\s-]{0,20}?\bfree "
                r"(?:to|or)\b|\bis there a (?:cost|charge|fee)\b|"
                r"\bwhat (?:does|do|did|would|will) [\w\s'-]{1,60}?\bcost\b|"
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
                r"\b(?:opening|open) hours\b|\bwhat hours\b|"
                r"\bwhen (?:did|was|were|will) [\w\s'-]{1,40}? (?:run|start|begin|end|launch|"
                r"launched|set up|introduced|created|published|released|written|updated)\b"),
     re.compile(rf"\b(?:{'|'.join(sorted(CALENDAR))})\b|"
                r"\b(?:19|20)\d\d\b|\b\d{1,2}[:.]\d\d\b|\b\d{1,2}\s*(?:am|pm)\b", re.I),
     re.compile(r"\b(?:date|dates|day|days|time|times|year|years|when)\b")),
    ("link", "a web address, email or other contact details",
     re.compile(r"\b(?:web|website|email|e-mail|postal|home|site)\s+address\b|\burl\b|"
                # "how does it link to the toolkit": a verb, not a link asked for.
                r"(?<!their )(?<!its )(?<!'s )(?<!it )(?<!they )(?<!this )(?<!that )\blink to\b|"
                r"\bthe link\b(?! between| round| around)|\bhyperlink\b|"
                r"\be-?mail\b|\bphone number\b|"
                r"\btelephone number\b|\bcontact (?:number|details)\b|"
                r"\bwhat(?:'s| is) the address\b|"
                # ("why does the toolkit link champions to a settled team": a verb.)
                r"(?<!does the )(?<!do the )(?<!did the )\b(?:tool|toolkit|website|site|"
                r"download|web) link\b|"
                r"\b(?:have|has|got) (?:a|an|its own|their own) (?:website|web ?page|site)\b|"
                r"\bwho (?:do|can|should) (?:i|we) (?:ring|call|phone)\b|"
                r"\bhow (?:do|can|could|would|should) (?:i|we) (?:contact|reach|get in touch with|"
                r"email|message)\b|\b(?:linkedin|profile|registration|joining|sign-?up|zoom|teams|"
                r"meeting) link\b|"
                # "where can I get the DERI tool": where to get hold of it, a link.
                r"\bwhere (?:can|do|could|would|should) (?:i|we|you) (?:get|find|access|obtain) "
                r"(?:hold of |access to )?(?:the |a |an |this |that |our |my )?(?:[\w-]+ ){0,3}?"
                r"(?:tool|index|data|scores?)\b(?! ?kit)|"
                + _ENDS_SHORT.format("link")),
     re.compile(r"https?://|www\.|@|\.(?:com|org|net|uk)\b|\b0\d{3,}"),
     re.compile(r"\b(?:address|addresses|link|links|url|email|contact)\b")),
    ("name", "the names asked for",
     re.compile(r"\b(?:what(?:'s| is| are| was| were|s)\s+(?:the\s+|their\s+|her\s+|his\s+)?"
                r"names?|names? of|name the|"
                # ("who exactly is the toolkit designed for" asks for an audience)
                r"who (?:exactly|specifically)(?! (?:is|are) [\w\s'-]{0,40}?\b(?:for|at)\W*$)|"
                + _BODIES_NAMED.pattern
                + r"|which (?:local )?(?:authorities|councils)\b|called|"
                + _WHO_RUNS + r"|"
                r"who is (?:the|my|our) (?:[\w-]+ )?(?:contact|chair|ceo|"
                r"head|person|manager|director) (?:for|at|in|of)|"
                # "who were the champions in the GM pilots": the people, by name.
                + _WHO_WERE_THE + r")\b"),
     _NEVER,  # names are judged by the entry's own "does not name" sentences
     re.compile(r"\b(?:name|names|named|title)\b")),
    # A detail the sources never give: a job title, a university, an employer, a venue.
    ("detail", "that detail",
     re.compile(r"\bjob title\b|"
                # "what's Dr Chris Nortcliff's actual job": what someone named does.
                r"\bwhat(?:'s| is| was)\s+(?:dr |mr |mrs |ms |prof )?[\w-]+(?: [\w-]+)?'s "
                r"(?:actual |real |exact |current |day )?(?:job|position)\b|"
                # ("she asked me what her job actually is": what the role is.)
                r"\bwhat(?:'s| is| was) (?:his|her) (?:actual |real |exact |current |day )?"
                r"(?:job|position)\b|"
                r"\b(?:which|what) (?:university|uni|organisation|organization|"
                r"company|employer|venue|building|hospital|surgery|portal|file format)\b|"
                r"\b(?:which|what) (?:[\w-]+ or )?(?:magazine|journal|publication|newspaper)\b|"
                r"\bpdf or word\b|\bword or pdf\b|"
                r"\bteams or zoom\b|\bzoom or teams\b"),
     _NEVER,  # judged by the word asked about (see missing_fact)
     re.compile(r"\b(?:title|university|organisation|platform|venue)\b")),
    # What an abbreviation stands for, when the glossary does not know it (it answers first).
    ("expansion", "what that abbreviation stands for",
     # ("where things stand for the DTLs" asks no abbreviation.)
     re.compile(r"(?<!things )(?<!matters )(?<!where we )(?<!where they )(?<!where you )"
                r"(?<!where i )\bstands? for\b|\bshort for\b|\b(?:acronym|abbreviation)\b|"
                r"\b(?:programme|project|toolkit|tool|scheme|index)'s full name\b|"
                r"\bfull name (?:does|do|did|is)\b|\bspell (?:it|that|this) out for (?:me|us)\b|"
                r"\bfull name of the (?:programme|project|toolkit|tool|scheme|index)\b"),
     re.compile(r"\bstands? for\b|\bshort for\b", re.I),
     re.compile(r"\b(?:spell|spelt|spelled|stands? for|acronym|abbreviation)\b")),
    # Where something is held: the sources name no venues.
    ("place", "where it is held",
     re.compile(r"\bwhere (?:is|are|will|was|were) [\w\s'-]{1,60}?\b(?:held|take place|"
                r"taking place|hosted|based|located|situated)\b|\bwhat (?:venue|location)\b|"
                r"\bwhich (?:venue|location)\b|"
                r"\bwhich (?:city|town|hotel) (?:is|will|was) (?:the|it)\b|"
                r"\bwhere(?:'s|s| is| are| will) (?:the )?[\w\s'-]{0,40}?\b"
                r"(?:meet ?ups?|get[- ]togethers?|face to face|in[- ]person)\b"),
     _NEVER,
     re.compile(r"\b(?:venue|venues|place|location|where)\b")),
    # A list the entry itself says its source leaves out ("the eight priorities").
    ("list", "that list",
     re.compile(r"(?<!the )(?<!a )(?<!priority )(?<!priorities )\b(?:list|tell me) "
                r"(?:the|all|out)\b|"
                r"\bwhat (?:exactly )?(?:are|were) (?:exactly )?the (?:eight|8)\b|"
                # "Which other resources does the toolkit signpost to?"
                r"\b(?:which|what)(?: are| were|'s| is)?(?: the)? (?:'?other |downloadable )?"
                r"(?:resources|assets)\b"),
     re.compile(""),  # only the entry's own "leaves the list out" makes this partial
     re.compile(r"\blist\b")),
    # How two things differ: given only by an entry that speaks of both.
    ("comparison", "how those two differ",
     _COMPARED,
     _NEVER,  # judged by whether the entry names both (see _comparison_given)
     re.compile(r"\b(?:difference|differences|compare|comparison)\b")),
    # How often: given by an entry that says ("every two months", "at every stage").
    ("frequency", "how often",
     re.compile(r"\bhow (?:often|frequently)\b|\b(?:weekly|monthly|quarterly|yearly|annually),? "
                r"(?:or )?(?:weekly|monthly|quarterly|yearly|annually)\b"),
     re.compile(r"\b(?:every|each|monthly|weekly|quarterly|annually|yearly|daily|fortnightly|"
                r"twice|once|bimonthly|throughout|regularly|always|times? a)\b", re.I),
     re.compile(r"\b(?:how often|frequency)\b")),
    # "When's the two-years-on follow-up coming out?": a publication not yet written (the
    # author only suggests revisiting in a year).
    ("publication", "when a follow-up will be published",
     re.compile(r"\bwhen(?:'s| is| will| does)? [\w\s'-]{1,50}?\b(?:come|coming) out\b|"
                r"\b(?:follow-?up|sequel|two[- ]years?[- ]on) (?:article|piece|report|paper|review|"
                r"revisit)\b"),
     _NEVER,
     _NEVER),
    # Whether the toolkit's programme and the DTL forum or role are linked: neither source
    # mentions the other's ("did Neil Paul's forum base its work on the GM toolkit?").
    ("sources linked", "any link between the Greater Manchester programme and the DTL forum "
     "or role (neither source mentions the other's)",
     re.compile(r"^(?=.*\b(?:forum|neil paul|dr paul|smash|dtls?|arrs)\b)"
                r"(?=.*\b(?:dfpc|lighthouse|greater manchester|gm|icp|nortcliff)\b)"
                r"(?=.*\b(?:work(?:ed|s|ing)? (?:with|together)|based? [\w\s]{0,20}?\bon|jointly|"
                r"link(?:ed|s)? (?:to|with|up)|connect\w*|involved (?:in|with)|partner\w* with|"
                r"collaborat\w* with|draw(?:s|n)? on|spok\w* (?:at|to)|speak\w* at|attend\w*|"
                r"invit\w*|been to)\b)"),
     _NEVER,
     _NEVER),
    # The one source asked about what only the other speaks of ("does the toolkit say anything
    # about DTLs?": only the article does; "does the article mention DERI?": only the toolkit).
    ("other source", "that in the source asked about (only the other source speaks of it)",
     re.compile(r"\b(?:(?:dtl |one[- ]year[- ]on |neil(?:'s)? |dr paul's )?article|neil paul|"
                r"dr paul)\b(?:(?!\btoolkit\b)[^?]){0,80}\b(?:say|says|said|mention|mentions|talk|"
                r"talks|cover|covers|have|has|discuss|discusses)\b(?:(?!\btoolkit\b)[^?]){0,80}\b"
                r"(?:deri|lighthouse|dfpc|five steps|5 steps|pcn hubs?|digital (?:in|ex)clusion|"
                r"greater manchester|nortcliff)\b(?! toolkit)|"
                r"\b(?:(?:gm |dfpc |greater manchester |manchester )?toolkit)\b(?:(?!\barticle\b)"
                r"[^?]){0,80}\b(?:say|says|mention|mentions|talk|talks|cover|covers|have|has|discuss|"
                r"discusses|section|bit)\b(?:(?!\barticle\b)[^?]){0,80}\b(?:dtls?|digital and "
                r"transformation leads?|arrs|forum|neil paul|smash|telephony|cloud phones?|"
                r"cloud-based)\b(?! (?:one[- ]year[- ]on )?article)"),
     _NEVER,
     _NEVER),
    # A recommended number of DTLs for a PCN's size: a local decision, no ratio given.
    ("ratio", "a recommended number or ratio",
     re.compile(r"\b(?:recommended|ideal|typical|standard|right) (?:number|ratio)\b|"
                r"\bper (?:\d+ )?(?:patients|population|head of population)\b|"
                r"\bdepending on (?:the )?(?:list|population|practice) size\b|"
                r"\bbased on (?:the )?(?:list|population|practice) size\b"),
     _NEVER,
     _NEVER),
    # Where and when a DTL works (home, hybrid): the article does not say.
    ("arrangements", "working arrangements (home, hybrid or office working)",
     re.compile(r"\bwork(?:ing)? from home\b|\bhybrid (?:working|work)\b|\bor hybrid\b|"
                r"\bremote(?:ly)? work\w*\b|\bwfh\b"),
     _NEVER,
     _NEVER),
    # How long something takes: the sources give no durations for the steps or projects.
    ("duration", "how long it takes",
     re.compile(r"\bhow long (?:does|do|will|would|should|is|are|did) [\w\s'-]{1,50}?\b"
                r"(?:take|last|run|go on)\b|\bhow long (?:is|are) (?:each|every)\b|"
                r"\bwhat (?:[\w-]+ )?(?:timescales?|time-?frames?|timelines?)\b"),
     re.compile(r"(?<!every )(?<!each )\b\d+\s*(?:weeks?|months?|days?|years?|hours?|minutes?)\b|"
                r"(?<!every )(?<!each )\b(?:a|one|two|three|four|six|twelve|almost a|nearly a|"
                r"about a|over a) (?:week|month|year|day|hour)s?\b", re.I),
     re.compile(r"\b(?:how long|duration|durations|length)\b")),
    # What something achieved, measured: the sources report no results of the pilots.
    ("results", "results or figures for that",
     re.compile(r"\bwhat (?:were |are )?(?:the |their |its )?(?:actual |real |main |final |"
                r"headline |key )?(?:results|outcomes|findings)\b|"
                r"\bresults (?:did|do|does)\b|\b(?:better|worse|best|worst|any|good|poor) "
                r"(?:results|outcomes)\b|"
                # "which areas have the highest risk": a ranking of measured results.
                r"\bwhich [\w\s-]{1,30}? (?:have|has|had|show|shows|showed) the (?:highest|lowest|"
                r"most|least|best|worst)\b|"
                r"\bhow much (?:did|has|have|had|does|do) [\w\s'-]{1,40}? (?:go up|went up|gone up|"
                r"increase|improve|rise|grow|fall|drop|change|reduce|cut|lower|shorten|save)\b|"
                r"\b(?:went|gone|go|goes) (?:up|down) by\b|"
                r"\b(?:improved|increased|reduced|dropped|fell|rose) by how much\b|"
                r"\bcame (?:out )?(?:as )?(?:top|first|number one|on top|highest)\b|"
                r"\branked (?:top|first|highest)\b|"
                r"\b(?:number one|no\.? ?1|top|single biggest) priority\b|"
                r"\bwhat did (?:that|the|this) (?:follow-?up|review|revisit|evaluation) "
                r"(?:find|show|say)\b|"
                r"\bwhich (?:of the (?:two|2)|one)\b[\w\s-]{0,40}?\b(?:was|is|were) (?:the )?"
                r"(?:more|further|less|most|least|better|worse|bigger|smaller)\b|"
                r"\bwhat (?:evidence|proof) (?:is there|do we have|did)\b|"
                r"\bwhat(?:'s| is) (?:the )?(?:actual |real |hard )?(?:evidence|proof)\b|"
                r"\bany (?:hard |real )?evidence\b|"
                r"\b(?:satisfaction|demand|waiting times?|access) (?:go|went|gone) (?:up|down)\b|"
                r"\bany (?:survey|evaluation) (?:results|data|findings)\b|"
                # Evaluations, satisfaction scores and votes: none are reported.
                r"\b(?:independent(?:ly)? )?evaluated\b|\bindependent evaluation\b|"
                r"\b(?:satisfaction|survey|feedback) (?:scores?|ratings?|results?|data|figures)\b|"
                r"\brank(?:ed)? (?:it |them )?(?:highest|lowest|first|top)\b|"
                r"\bput (?:at |as )?(?:number one|no\.? ?1|first|top)\b|"
                r"\bvote (?:numbers|counts|figures|results|tallies)\b|"
                r"\bevaluation (?:report|findings|results)\b|"
                r"\bwhat (?:[\w-]+ )?(?:benefits|impact|improvements?) (?:did|has|have) "
                r"[\w\s'-]{1,40}?\b(?:see|seen|seeing|get|got|deliver|delivered|achieve|achieved|"
                r"show|showed|end up|find|found)\b"),
     re.compile(r"\d\s*%|\bper ?cent\b|\b(?:increased|improved|reduced|rose|fell|dropped) by\b",
                re.I),
     re.compile(r"\b(?:results?|outcomes?|findings)\b")),
    ("number", "that figure",
     re.compile(r"\bwhat\b[\w\s']{0,30}?\b(?:percentage|proportion|percent|score|scores|"
                r"threshold|ratio|rate)\b|\bwhat number\b|\bhow many\b|\bby how much\b|"
                r"\bwhat\s*%|%\s*of\b|\btotal number of\b|\b(?:a|as a|in) percentage\b|"
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
                r"\bwhat did (?:they|the [\w\s-]{1,20}?) (?:actually |really )?achieve\b|"
                # ("did the team work with real networks" asks who, not whether it worked.)
                r"\bdid (?:it|they|the [\w\s-]{1,30}?) (?:actually |really )?"
                r"(?:work(?=\W*(?:$|or\b|and\b|-))|achieve|deliver|(?:hit|meet) (?:its|their|the) "
                r"(?:[\w-]+ )?(?:targets?|goals?|aims?|outcomes?|objectives?|kpis?))\b|"
                r"\bwhat (?:has|have|did) [\w\s'-]{1,30}? (?:delivered|achieved)\b|"
                r"\bdid (?:either|any|both|one|none|neither) (?:of )?[\w\s-]{0,30}?\b(?:drop out|"
                r"pull out|fall flat|fail|succeed|give up|quit|withdraw)\b|"
                # ("we launched it and it fell flat" tells of the asker's own project.)
                r"\b(?:did|has|have) (?:it|they|the [\w\s-]{1,30}?) (?:\w+ )?(?:fall|fallen|fell) "
                r"flat\b|\bor (?:did (?:it|they) )?(?:fall|fell) flat\b"),
     re.compile(r"\bwent ahead\b|\btook place\b|\bwas held\b|\bwas cancelled\b"),
     re.compile(r"\bhappened\b")),
    # What will happen in future: the sources make no forecast beyond "in theory the ARRS money
    # continues".
    ("future", "what will happen in future",
     re.compile(r"\bwill (?:the )?[\w\s-]{0,30}?\bstill be\b|\bin the next (?:few |couple of )?"
                r"years?\b|\bin (?:future|coming) years\b|\bafter the current contract\b|"
                # ("the next step" and "the next meeting" the sources and the schedule answer.)
                r"\bnext (?:phase|version|edition|round|wave|year|yr)\b|"
                r"\b(?:be|being|get|getting) (?:extended|renewed|scrapped)\b|"
                r"\bwhen (?:does|will|is) [\w\s'-]{1,40}?\b(?:finish|end|stop|close|wrap up)\b|"
                r"\buntil when\b|\bguaranteed\b|\bwhen (?:do|does) (?:they|he|she|you|we) expect\b|"
                r"\bexpected to (?:shrink|grow|rise|fall|change|"
                r"increase|decrease|go up|go down)\b|\bgoing (?:up|down) by\b"),
     re.compile(r"\bcontinues?\b|\bin theory\b|\bahead\b", re.I),
     re.compile(r"\bfuture\b")),
    # How a tool works inside (how DERI's score is worked out): the sources do not say.
    ("method", "how it is worked out",
     re.compile(r"\bhow (?:is|are|does|do) (?:the |it |its |they )?[\w\s-]{0,40}?\b"
                r"(?:calculat\w*|worked out|work out|computed?|scored)\b|"
                r"\bwhat data (?:goes|go) into\b|\bwhich (?:datasets|data sets)\b|"
                r"\bhow (?:is|are|do (?:you|we)|will (?:you|we)|should (?:you|we)) [\w\s'-]{0,40}?"
                r"\bmeasur\w*\b|\bkpis?\b|\bkey performance indicators?\b|"
                r"\btarget (?:[\w-]+ )?scores?\b"),
     re.compile(r"\bcalculat|\bdatasets?\b|\bdata sets?\b", re.I),
     re.compile(r"\bcalculat|\bmethod")),
    # Templates and model documents: the sources describe what to set out, and give none.
    ("template", "a template",
     re.compile(r"\btemplates?\b|\bclauses?\b|\bmodel (?:document|agreement|policy)\b"),
     re.compile(r"\btemplate|\bclause", re.I),
     re.compile(r"\btemplate")),
    # An official job description: the article describes the role, and quotes none.
    ("job description", "an official job description",
     # ("My job description is vague" asks about the role, which the article describes.)
     re.compile(r"\b(?:official|national|nhs ?england|nhse|standard) (?:[\w-]+ )?"
                r"(?:job description|job spec|person spec\w*)\b"),
     re.compile(r"\bjob description\b", re.I),
     re.compile(r"\bjob description\b")),
    # Training and courses: the sources describe none (only the SMASH DTL's Masters).
    ("training", "details of any training or courses",
     re.compile(r"\bwhat (?:[\w-]+ )?training\b|\b(?:any|a) (?:[\w-]+ )?training (?:courses?|"
                r"programmes?|sessions?|offer|scheme)\b|\bis there (?:any |a )?(?:[\w-]+ )?"
                r"training\b|\b(?:get|receive|be given|be offered|offered|provided?) "
                r"(?:any |some )?training\b|"
                r"\btraining (?:courses?|programmes?|sessions?) (?:for|available|on)\b"),
     re.compile(r"\b(?:training|courses?|masters|degree|qualifications?)\b", re.I),
     re.compile(r"\b(?:training|courses?)\b")),
    # Minutes, agendas and papers of meetings: the sources mention none.
    ("papers", "minutes, agendas or papers",
     # (Asked whether they exist or where to get them: "agenda from the forum - how many
     # priorities" asks what was on it, "my board slides" are the asker's.)
     re.compile(r"\b(?:are|is|were|was) (?:there )?(?:any |an? |the )?(?:minutes|agendas?|slides|"
                r"recordings?|meeting notes)\b|\b(?:get|see|find|read|share|send|access) (?:me )?"
                r"(?:the |a |an |any )?(?:minutes|agendas?|slides|recordings?)\b|"
                r"\b(?:minutes|agendas?|slides|recordings?) (?:published|available|shared|"
                r"circulated|online)\b|\bwhat(?:'s| is) on the agenda\b|"
                r"\b(?:sessions?|meetings?|forums?|calls?) (?:be |being |get |are |is |ever )?"
                r"recorded\b|\bget hold of (?:the |any )?(?:minutes|agendas?|slides|recordings?)\b|"
                r"\bterms of reference\b"),
     re.compile(r"\b(?:minutes|agendas?|slides|recordings?|recorded|notes|terms of reference)\b",
                re.I),
     re.compile(r"\b(?:minutes|agenda|agendas|papers)\b")),
    # A year the sources never mention ("the 2025/26 contract"): they say nothing of it.
    ("year", "anything about that year",
     re.compile(r"\b(?:19|20)\d\d(?:/\d\d)?\b"),
     _NEVER,  # judged by the year asked about (see missing_fact)
     _NEVER),
    # The sources give no step-by-step procedures for systems or administration.
    ("procedure", "step-by-step instructions for that",
     re.compile(r"\bhow (?:do|can|should|would) (?:i|we|you|a pcn|practices) (?:configure|set up|"
                r"setup|install|enable|disable|get access|access|request|register|order|migrate|"
                r"switch|procure|buy|purchase|book|claim|submit|report|log in|sign in|reset|"
                r"integrate|upgrade|renew)\b|\bwhat is the process\b|"
                r"\bhow (?:do|can) (?:i|we) get (?:an?|the|my|our) (?:[\w-]+ )?(?:account|login|"
                r"licen[cs]e|smartcard)\b|\bhow (?:does|do|can) (?:a |the )?(?:patient|patients|"
                r"person|people|someone) (?:register|book|sign up|enrol|order|request)\b|"
                r"\bstep[- ]by[- ]step\b|"
                r"\bwhat (?:[\w-]+ ){0,2}(?:process|procedure) (?:does|do|did|should|is)\b"),
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
    # Who made a tool or wrote a document: given by an entry that says by whom.
    ("maker", "who made it",
     re.compile(r"\bwho (?:developed|develops|made|makes|built|builds|created|creates|designed|"
                r"designs|owns|publishes|published|maintains|produced|produces|invented|"
                r"came up with|is behind|was behind|decided to (?:add|create|introduce|set up)|"
                r"introduced|brought in|set up|launched|started|founded) "
                r"(?:the|it|this|that|its|these|those)\b"),
     # ... or who did it, in the entry's own words ("Dr Neil Paul launched the forum").
     re.compile(r"\b(?:by|from) \**(?:the )?\**[A-Z]|\b(?:launched|founded|started|developed|"
                r"created|built|designed|produced)\b"),
     re.compile(r"\b(?:developer|developers|maker|makers|publisher|author)\b")),
    # Rules and obligations: the sources set none out beyond "no fixed qualifications".
    ("rules", "the rules on that",
     re.compile(r"\b(?:mandatory|compulsory|obligatory)\b|\b(?:obliged|required) to\b|"
                r"\brules? (?:on|about|for)\b|\bwhat are the rules\b|\beligib\w*\b|"
                r"\bcan (?:a|we|i|the|our|one) (?:[\w-]+ ){0,2}(?:employ|claim|recruit|hire|fund) "
                r"(?:more than one|two|both)\b|\bclaim for both\b"),
     re.compile(r"\b(?:must|mandatory|required|rules?|eligible|allowed|no fixed)\b", re.I),
     re.compile(r"\brules?\b")),
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
                r"vendors?|systems?|apps?|platforms?|software|tools?|compan(?:y|ies)|brands?|"
                r"courses?)\b|"
                r"\bsuppliers?\b|\bvendors?\b|"
                r"\b(?:which|what) (?:cms|content management system|website platform|"
                r"website builder)\b|"
                r"\bwhich (?:[\w-]+ ){0,2}(?:mechanism|method|approach|product|tool|system|"
                r"supplier|provider|platform|software|framework|model)s? (?:does|do|did) (?:the )?"
                r"(?:toolkit|article|author|summary) (?:actually |really )?(?:recommend|prescribe|"
                r"advise)\b|"
                r"\b(?:which|what) (?:[\w-]+ )?(?:platform|product|supplier|software|app|vendor|"
                r"provider|company|firm)s? "
                r"(?:does|do|did|should|would|is|are)\b"),
     re.compile(r"\brecommend|\bsuppliers?\b|\bvendors?\b"),
     re.compile(r"\brecommend")),
    # Which background makes the better DTL: the sources compare none (no fixed qualifications).
    ("verdict", "a view on which background makes the better DTL",
     re.compile(r"\b(?:make|makes|making) (?:a |the )?(?:better|best|worse|worst|ideal|stronger) "
                r"(?:dtls?|digital (?:and )?transformation leads?|leads?|candidates?)\b|"
                r"\b(?:better|best) (?:suited|placed) (?:to be|for the|as) (?:a |the )?"
                r"(?:dtl|role|lead)\b"),
     _NEVER,
     _NEVER),
    # A tool, system or product by its name ("what tool did they measure maturity with"):
    # given by an entry that names one ("the Digital Exclusion Risk Index (DERI) tool").
    ("product", "the name of a product or tool for that",
     # (The words between name the product's kind, "online consultation / front door", and
     # no verb: "what does the toolkit say system partners should do" asks no name.)
     re.compile(r"\b(?:which|what) (?!kinds? |sorts? |types? )(?:(?!(?:about|does|do|did|says?|"
                r"should|is|are|was|were) )[\w-]+(?: ?/ ?[\w-]+)? ){0,4}?"
                r"(tool(?! ?kit)|system|framework|product|software|platform|app|assessment|survey|"
                r"metric)s?\b"
                r"(?! (?:kinds?|sorts?|types?)\b)|"
                # "which innovations have been scaled and spread": the ones, by name.
                r"\bwhich (?:of )?(?:the )?(?:[\w'-]+ ){0,3}?(innovation|product|tool|project|"
                r"change|technique|collaborative)s? (?:[\w-]+ ){0,4}?(?:have|has|were|was) "
                r"(?:[\w-]+ ){0,3}?(?:already |actually )?(?:been )?(?:scaled|spread|deployed|"
                r"rolled out|implemented|adopted|used)\b"),
     _NEVER,  # judged by the name before the noun (see _product_given)
     re.compile(r"\b(?:product|products|tool|tools|system|systems)\b")),
)


_PERSON_NAME_ASK = re.compile(
    rf"\bnames? of (?:the |their |her |his |that )?(?:[\w-]+ )?{_PERSON}\b|"
    rf"\b{_PERSON}(?:'s)? names?\b|"
    r"\b(?:" + _WHO_RUNS + r")\b|"
    r"\bwho (?:exactly|specifically)\b|\bwho is (?:the|my|our) (?:[\w-]+ )?(?:contact|lead|"
    r"chair|ceo|head|person|manager|director) (?:for|at|in|of)\b|"
    rf"\b{_PERSON}\b[\w\s-]{{0,30}}? (?:is|was) called\b|"
    rf"\bwhat(?:'s| is| was) (?:the |that |this )?[\w\s-]{{0,30}}?\b{_PERSON}\b"
    r"(?:[\w\s-]{0,20}? )?called\b|"
    r"\b" + _WHO_WERE_THE + r"\b"
)


_PERSON_NAME = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Professor|Prof)\.? [A-Z][a-z]+")


# A sentence in which an entry says what its sources leave out ("The article gives no venue,
# date or year", "The summary does not name the two PCNs").
_NOT_GIVEN = re.compile(
    r"\b(?:gives? no|give no|does not (?:give|name|state|say|mention|list)|"
    r"doesn't (?:give|name|state|say)|not (?:given|named|stated)|leaves? [^.]{0,40}\bout)\b",
    re.I,
)


# "What does DFPC stand for": the term asked about.
_STANDS_FOR = re.compile(r"\b([\w&-]+) (?:(?:tool|programme|project|scheme|role|index) )?"
                         r"(?:actually |really |exactly )?(?:stands?|short) for\b")


# A percentage or proportion asked for, and given.
_SHARE_ASKED = re.compile(r"\b(?:percentage|proportion|percent|per cent)\b|%")


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
    was are is do did does said say think thought felt feel agreed got people folk
    folks""".split())


# An exact count asked for, and a number that is not one ("over 100").
_EXACTLY = re.compile(r"\bexact(?:ly)? (?:how many|number|figure|count)\b|\bhow many exactly\b|"
                      r"\bprecise(?:ly)? (?:how many|number)\b")
_APPROXIMATE = re.compile(r"\b(?:over|more than|about|around|nearly|almost|some|at least|up to|"
                          r"roughly|approximately|under|fewer than|less than)\W+$", re.I)
# ("Some DTLs say" counts nobody.)
_QUANTITY = re.compile(r"\b(?:most|many|few|majority|minority|handful|all|none)\b", re.I)


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


# "Which month", and a month named.
_MONTH_ASKED = re.compile(r"\b(?:what|which)\s+month\b")
_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|"
                    r"November|December)\b")


_A_YEAR = re.compile(r"\b(?:19|20)\d\d(?:/\d\d)?\b")


# An acronym spelt out in an entry: "Digital Exclusion Risk Index (DERI)".
_SPELT_OUT = re.compile(
    r"\b[A-Z][a-z]+(?: (?:[A-Z][a-z]+|and|of|for)){1,6} \(\*{0,2}([A-Z]{2,})\*{0,2}\)")


# The kind of thing whose name is asked for: "the name of the project", "the project called".
_NAME_OF = re.compile(r"\bname of (?:the |that |this |their |its )?((?:[a-z]+ ){0,3}?[a-z]+)"
                      r"(?= (?:the|that|this|in|on|at|for|which|they|it|you|we|i|is|was|were|"
                      r"behind|from|where|who)\b|\W*$)|"
                      r"\bwhat(?:'s| is| was) (?:the |that |this )?([a-z]+) called\b")


# ("who'd taken the role" is not a second question.)
QUESTION_WORD = re.compile(r"\b(?:how|what|when|who|where|why|which)\b(?!'d)")


# A question word that starts a clause ("managers who took the role" is not a second question).
_CLAUSE_QUESTION_WORD = re.compile(r"(?:^|[,;:?.!(-]\s*|\b(?:and|or|also|but)\s+)\W*"
                                   r"(?:how|what|when|who|where|why|which)\b(?!'d)")
# A second question joined to the first: "..., and when is ...", "... and how often ...".
SEVERAL_PARTS = re.compile(
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
    # The kind of thing is the last word ("the name of the Greater Manchester project").
    noun = match and (match.group(1) or match.group(2)).split()[-1]
    if noun in ("it", "that", "this", "they"):
        # "There was a tool for mapping exclusion - what was it called?": the thing named before.
        return any(_names_one(asked.entry, kind) for kind in _NAMED_KINDS.findall(asked.text))
    return bool(noun) and _names_one(asked.entry, noun)


_NAMED_KINDS = re.compile(r"\b(tool|project|programme|index|network|pcn|forum|partnership)\b")


def _product_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    # ... or a name the entry says something is done on or with ("on **LinkedIn**").
    match = asks.search(asked.text)
    if match is None:
        return False
    # "What BI tool": only an entry that speaks of BI names one of that sort (the DERI tool is
    # not a BI tool).
    sort = _PRODUCT_SORT.search(asked.text, 0, match.start(1) if match.group(1) else match.end())
    if sort is not None and sort.group(1) not in _NOT_A_SORT and not re.search(
            rf"\b{re.escape(sort.group(1))}", asked.entry.body, re.I):
        return False
    return _names_one(asked.entry, match.group(1) or match.group(2)) or bool(
        re.search(r"\b(?:on|via|through|using|with) \**[A-Z][a-z]+[A-Z]?\w*", asked.entry.body))


# The sort of product asked for, the word before its noun ("what BI tool", "which telephony
# system").
_PRODUCT_SORT = re.compile(r"\b(?:which|what) (?:[\w-]+ )*?([\w-]{2,}) $")
_NOT_A_SORT = frozenset("""specific particular exact actual main other named real recommended
    best good free new one single same kind sort type""".split())


def _names_one(entry: Entry, noun: str, besides: str = "") -> bool:
    """Whether the entry names a thing of that kind ("Lighthouse Project", "DERI tool"), other
    than one named in `besides` (the question: "which PCNs near SMASH" is not asking SMASH's)."""
    # A name right before the noun: "Lighthouse Project", "Digital Exclusion Risk Index (DERI)
    # tool" (the sentence's first word, "The tool", names nothing).
    named = re.finditer(rf"(?:\b([A-Z][\w'-]*)|\([A-Z]{{2,}}\))\**\s+(?i:{noun})s?\b",
                        entry.body)
    return any((m.group(1) or "").lower() not in STOPWORDS and not (
        m.group(1) and re.search(rf"\b{re.escape(m.group(1).lower())}\b", besides))
        for m in named)


def _date_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    # "Which year exactly": only a year as a number answers it.
    if _WHICH_YEAR.search(asked.text) and not _A_YEAR.search(asked.entry.body):
        return False
    return bool(holds.search(asked.entry.body))


def _year_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    return any(year in asked.entry.body for year in _A_YEAR.findall(asked.text))


def _name_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    bodies = _BODIES_NAMED.search(asked.text)
    if bodies is not None:
        # "Which federations were involved": given by an entry naming one ("SMASH PCN").
        return _names_one(asked.entry, _singular(bodies.group(1)), besides=asked.text)
    # Other names of places and networks are judged by the entry's own "does not name"
    # sentences; people by an entry naming someone, and someone else for "who else".
    if not _PERSON_NAME_ASK.search(asked.text):
        return True
    people = {m.group(0) for m in _PERSON_NAME.finditer(asked.entry.body)}
    if _ELSE.search(asked.text):
        return len(people) > 1
    # "Who led the Lighthouse Project": a body that led it answers too.
    return bool(people) or (re.search(r"\bwho led\b", asked.text) is not None
                            and _ORGANISATION.search(asked.entry.body) is not None)


def _singular(noun: str) -> str:
    return noun[:-3] + "y" if noun.endswith("ies") else noun[:-1] if noun.endswith("s") else noun


def _number_given(asked: _Asked, asks: re.Pattern[str], holds: re.Pattern[str]) -> bool:
    body = asked.entry.body
    if _SHARE_ASKED.search(asked.text):
        return bool(_SHARE_GIVEN.search(body))
    counted = _HOW_MANY.search(asked.text)
    if counted is None:
        return bool(holds.search(body))
    # "Exactly how many": "over 100" does not answer it.
    exact = _EXACTLY.search(asked.text) is not None
    if counted.group(1).split()[0] in _COUNTS_PEOPLE:
        if exact:
            return any(not _APPROXIMATE.search(body, 0, m.start())
                       for m in _NUMBER_BEFORE.finditer(body))
        return bool(holds.search(body) or _QUANTITY.search(body))
    # "How many ICBs are there?": a number in the entry must count that very thing, the word
    # after it or the one after that ("eight main priorities").
    nouns = asked.counts(counted.group(1))
    return any(stem(word.lower()) in nouns for m in _NUMBER_BEFORE.finditer(body)
               if not (exact and _APPROXIMATE.search(body, 0, m.start()))
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
    # Both things named, and the entry setting one against the other (an entry that lists
    # both as readers compares nothing).
    match = asks.search(asked.text)
    body = f"{asked.entry.title} {asked.entry.body}".lower()
    return match is not None and _CONTRASTED.search(body) is not None and all(
        re.search(rf"\b{re.escape(term.rstrip('s'))}", body) for term in match.groups() if term)


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
          "results": _results_given, "comparison": _comparison_given,
          "product": _product_given}


# Texting forms of the words the kinds are asked with ("wat r the 8 priorities").
_TEXTING = {"wat": "what", "wot": "what", "wht": "what", "whats": "what's", "wats": "what's",
            "r": "are", "u": "you", "ur": "your", "shud": "should", "shld": "should",
            "wen": "when", "hw": "how", "abt": "about", "yr": "year", "yrs": "years",
            "ppl": "people"}
_TEXTING_WORD = re.compile(r"\b(?:" + "|".join(_TEXTING) + r")\b")


def _as_asked(question: str) -> str:
    """The question lowercased, with plain apostrophes and texting forms spelt out."""
    text = question.lower().replace("\u2019", "'")
    return _TEXTING_WORD.sub(lambda m: _TEXTING[m.group(0)], text)


def asks_a_fact(question: str) -> bool:
    """Whether the question asks for one of FACT_KINDS' kinds of fact at all."""
    text = _as_asked(question)
    return any(asks.search(text) for _, _, asks, _, _ in FACT_KINDS)


def missing_fact(question: str, entry: Entry, left_out: str | None = None, *,
                 counts: Callable[[str], set[str]] = lambda words: {stem(words.split()[0])},
                 known_term: Callable[[str], bool] = lambda term: False) -> str | None:
    """The kind of fact the question asks for that the entry does not give, named for the
    reply ("a date or time"), or None when the entry holds it or none is asked for.
    `left_out` is `not_given(entry.body)`, when already known; `counts(words)` the stems that
    count as what a "how many" counts; `known_term(term)` whether the glossary knows it."""
    asked = _Asked(_as_asked(question), entry, counts, known_term)
    # A question in several parts ("how many met, how often, and when ...") may be answered
    # in the other parts: only the sharper kinds (money, links, names...) make it partial.
    several = len(_CLAUSE_QUESTION_WORD.findall(asked.text)) > 1 or bool(
        SEVERAL_PARTS.search(asked.text))
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
                    asked.text) and not _YEAR_ONLY_MISSING_DATE.search(not_given_text)) and not (
                # "Which month is the get together pencilled in for": the month is given.
                kind == "date" and _MONTH_ASKED.search(asked.text) and _MONTH.search(entry.body)):
            return label
        if several and kind in ("number", "date", "frequency"):
            continue
        given = _GIVEN.get(kind)
        if not (given(asked, asks, holds) if given else holds.search(entry.body)):
            return label
    return None
