"""Given names and the short forms and pet names people in the UK are commonly called by.

Each line is one family of names that a caller may use for the same person: a formal
name first, then its usual diminutives, and for some the same name in another language
(Johann, Giovanni for John) as it is written on foreign documents and older records.
A name may sit in several families (Alex is short for Alexander and for Alexandra), so
lookups return every family it belongs to. Jon is both short for Jonathan and a spelling of
John; Jonathan's line comes first so that ``formal_name`` keeps reading Jon as Jonathan.
Spellings are folded (lower case, plain ASCII) as people.matching folds names.
"""

from __future__ import annotations

_FAMILIES = """
abigail abbie abby gail
adam ad
adrian ade
agnes aggie nessie
albert al bert bertie
alexander alex alec alastair alistair sandy xander lex sasha
alexandra alex alexa sandra sandy lexi sasha
alfred alf alfie fred freddie
alice ally allie
alison ali allie
amanda mandy manda
andrew andy drew
angela angie
ann anne annie nan nancy
anthony tony ant
archibald archie
arthur art artie
barbara barbie babs barb
benjamin ben benny benji
bernard bernie
beatrice bea bee trixie
bridget biddy bridie
carol carrie
caroline carrie caro lynn
catherine cath cathy kate katie kath kathy kay kitty cat
katherine kath kathy kate katie kay kitty cat
kathleen kath kathy kay
charles charlie chas chuck chaz carl karl
charlotte charlie lottie lotte
christina chris tina christy
christine chris chrissie tina
christopher chris kit topher
clifford cliff
cornelius neil
cyril cy
daniel dan danny
david dave davey dai
deborah debbie deb debs
dennis den
derek del
diana di
dominic dom
donald don donny
dorothy dot dotty dolly
douglas doug dougie
edward ed eddie ted teddy ned
edwin ed eddie
edmund ed eddie ted ned
eleanor ellie nell nora elle
elizabeth liz lizzie beth betty bess bessie eliza libby lisa elsie betsy
ellen nell nellie
emily em emma millie
eric rick ricky
eugene gene
evelyn eve evie
frances fran fanny frankie
francis frank frankie
frederick fred freddie freddy fritz
gabriel gabe
gabrielle gabby gabi
geoffrey geoff jeff
george georgie geordie
georgina georgie gina
gerald gerry jerry ged
gerard gerry ged
gillian gill jill gilly
gregory greg
gwendolen gwen wendy
harold harry hal
harriet hattie harry
helen nell nellie
henry harry hal hank heinrich
herbert herb bert
hugh hughie
isabel isabelle izzy bella isla
isobel izzy bella
jacob jake jack
james jim jimmy jamie jem
jacqueline jackie jacqui
jane janey jenny
janet jan netty
jennifer jen jenny jenna
jessica jess jessie
joanna jo joanne
joanne jo
jonathan jon jonny
john jon jack johnny jock ian sean johann johannes juan giovanni ivan
joseph joe joey jo josef
josephine jo josie
joshua josh
judith judy jude
julia julie jules
julian jules
katrina kat trina
kenneth ken kenny
lawrence larry laurie
laurence larry laurie
leonard len lenny leo
lewis lew louis
lilian lily lil
louisa lou louise
louise lou lulu
lucy lu
madeleine maddie
madeline maddie
louis lou louie lewis ludwig luis
margaret maggie meg peggy peg marge madge greta rita daisy maisie molly
marjorie marge margie
martin marty
mary molly polly mae mamie maria marie
matilda tilly tilda
matthew matt matty
maureen mo
maurice mo maurie
michael mike mick micky mikey mich
michelle shell chelle
mohammed mohammad muhammad muhammed mohamed mo moh
nathan nat nate
nathaniel nat nate
nicholas nick nicky nico nicolas klaus
nicola nicky nikki
norman norm
oliver ollie olly noll
olivia liv livvy ollie
pamela pam
patricia pat patty trish tricia
patrick pat paddy
penelope penny
peter pete pierre pedro pieter
philip phil pip phillip philipp
phillip phil pip
rachel rach
raymond ray
rebecca becky becca bex
reginald reg reggie
richard rich rick ricky dick richie
robert bob bobby rob robbie bert
roberta bobbie robbie
rodney rod
ronald ron ronnie
rosemary rose rosie
ruth ruthie
samantha sam sammy
samuel sam sammy
sarah sally sadie
sharon shaz
sidney sid
sophia sophie
sophie soph
stanley stan
stephanie steph
stephen steve stevie steven
steven steve stevie stephen
susan sue susie suzy
suzanne sue suzy
terence terry tel
theodore theo ted teddy
theresa tess tessa terri
thomas tom tommy
timothy tim timmy
tobias toby
valerie val
veronica ronnie vera
victor vic
victoria vicky vic tori
vincent vince vinny
walter walt wally
william bill billy will willy liam wilhelm guillaume
winifred winnie
zachary zach zac
"""


def _families() -> list[frozenset[str]]:
    return [frozenset(line.split()) for line in _FAMILIES.strip().splitlines() if line.strip()]


NICKNAME_FAMILIES: list[frozenset[str]] = _families()

_HEADS: dict[frozenset[str], str] = {
    frozenset(line.split()): line.split()[0] for line in _FAMILIES.strip().splitlines() if line.strip()
}
_BY_NAME: dict[str, list[frozenset[str]]] = {}
for _family in NICKNAME_FAMILIES:
    for _name in _family:
        _BY_NAME.setdefault(_name, []).append(_family)


def same_person_names(folded: str) -> frozenset[str]:
    """Every given name that may stand for ``folded`` (itself included), across all its families."""
    names = {folded}
    for family in _BY_NAME.get(folded, ()):
        names |= family
    return frozenset(names)


def formal_name(folded: str) -> str:
    """The formal name a given name stands for (Peggy → margaret): the head of its first family, else itself.

    One key per name, for where a single column must carry it (the duplicate job's blocking and its
    "same name by nickname" level). A name in several families keeps the first listed.
    """
    families = _BY_NAME.get(folded)
    return _HEADS[families[0]] if families else folded


def heads_family_of(head: str, name: str) -> bool:
    """Whether ``head`` is the formal name of a family that holds ``name`` (John of Jon; Rosie of nothing)."""
    return any(_HEADS[family] == head for family in _BY_NAME.get(name, ()))


def is_listed(folded: str) -> bool:
    """Whether a folded given name is in one of the families (Tom is, Joel is not)."""
    return folded in _BY_NAME


def are_nicknames(a: str, b: str) -> bool:
    """Whether two folded given names belong to one family (Bob and Robert; Peggy and Margaret)."""
    return a != b and b in same_person_names(a)
