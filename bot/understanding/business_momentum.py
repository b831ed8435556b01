"""Where a business is, told by what is happening to it rather than by its age:

- **firsts**: "nos premiers clients", "our first paying customers", "premier contrat hier", "أول زبون" ->
  startup (a business selling for the first time has just started);
- **rising numbers**: "nos ventes explosent", "demand keeps growing", "الطلب كبر", "lcommandes kethrou",
  "on passe de 8 à 20 employés", "grown from 5 to 30 trucks" -> growth.

Called by `business_cues.stage_cue` when no stage phrase matched. Word lists are written as people write
them and normalised once at import, like the other cue modules.
"""

from __future__ import annotations

import re

from bot.understanding.normalize import normalized_words

# fmt: off
_FIRST = {
    "premier", "premiere", "premiers", "premieres", "first", "اول", "awel", "awal", "lawel", "لول",
}
_SALES = {
    "client", "clients", "cliente", "clientes", "vente", "ventes", "contrat", "contrats", "commande",
    "commandes", "customer", "customers", "sale", "sales", "order", "orders", "contract",
    "contracts", "users", "utilisateurs", "boites", "produits", "paying", "payants", "زبون", "زبائن",
    "زبونه", "كليان", "كليون", "طلبيه", "طلبيات", "صفقه", "بيعه", "lclients", "klyan", "zboun",
}
# what rises when a business grows: its sales, demand, orders, customers, turnover, staff
_VOLUME = {
    "ventes", "vente", "demande", "commandes", "clients", "clientele", "chiffre", "revenus", "sales",
    "demand", "orders", "customers", "revenue", "revenues", "business", "users", "utilisateurs",
    "المبيعات", "الطلب", "الطلبات", "الكومند", "الكوموند", "الزبائن", "الزباين", "الكليان", "lcommandes",
    "lcommande", "commande", "lclients", "talab", "ttalab", "lventes", "lmabi3at",
    # the business itself: "المؤسسة تاعنا كبرت", "the company grew", "l'entreprise grandit"
    "المؤسسه", "الشركه", "المشروع", "company", "entreprise", "compagnie", "boite", "charika",
}
_RISE = {
    "explosent", "explose", "augmentent", "augmente", "montent", "grimpent", "doublent", "doublees",
    "double", "decolle", "decollent", "exploding", "booming", "growing", "grew", "grown", "increasing",
    "soaring", "doubled", "tripled", "climbing", "picking",
    "كبر", "كبرت", "زاد", "زادت", "زادو", "طلعت", "طلع", "تزيد", "يزيد", "يزيدو", "كثر", "كثرت", "كثرو",
    "تضاعف", "تضاعفت", "ارتفع", "ارتفعت", "kber", "kbar", "kbret", "zad", "zadet", "zadou", "zado",
    "yzido", "yzidou", "kther", "kthar", "kethrou", "kthrou", "kethrat", "tal3et", "tla3", "tal3ou",
    "ضاعفنا", "ضاعفت", "grandit", "grossit", "kebret", "kbrat",
}
# "de 8 à 20 employés", "from 5 to 30 trucks", "men 3 l 10 khedamin": the unit says it is the business
_COUNTED = {
    "employes", "employees", "staff", "people", "personnes", "workers", "travailleurs", "camions",
    "trucks", "magasins", "stores", "succursales", "branches", "locations", "clients", "customers",
    "users", "utilisateurs", "machines", "vehicules", "vehicles", "points", "عمال", "عامل", "موظف",
    "موظفين", "شاحنات", "شاحنه", "محلات", "زبون", "زبائن", "khedamin", "khdama", "camion",
}
# fmt: on
_FROM_TO = re.compile(r"\b(?:de|from|men|mn|من)\s+(\d+)\s+(?:a|to|l|ل|الي|لي)\s+(\d+)\s+(\S+)")


def first_sales(words: list[str]) -> bool:
    """'nos premiers clients', 'first paying customers', 'notre premier contrat', 'أول زبون': it sells now."""
    for index, word in enumerate(words):
        if word in _FIRST and set(words[index + 1 : index + 4]) & _SALES:
            return True
    return False


def rising(words: list[str]) -> bool:
    """Sales, demand or staff going up: 'nos ventes explosent', 'الطلب كبر', 'de 8 à 20 employés'."""
    for index, word in enumerate(words):
        if word in _VOLUME and set(words[max(0, index - 3) : index] + words[index + 1 : index + 4]) & _RISE:
            return True
    for match in _FROM_TO.finditer(" ".join(words)):
        low, high, unit = int(match[1]), int(match[2]), match[3]
        if low < high and (unit in _COUNTED or unit.removeprefix("l") in _COUNTED):
            return True
    return False


_FIRST, _SALES, _VOLUME, _RISE, _COUNTED = map(normalized_words, (_FIRST, _SALES, _VOLUME, _RISE, _COUNTED))
