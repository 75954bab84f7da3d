#!/usr/bin/env python3
"""Generates the toy system's training data, eval suites and simulated traffic from phrase templates.

The outputs are committed under Sources/ToyModel/Defaults; rerun this only to change the data:
    python3 Docs/generate-toy-data.py
Train, eval and traffic sentences come from disjoint template halves, so evals measure generalisation.
"""
import json, random, os

ITEMS = ["lamp", "floor lamp", "linen duvet cover", "wool throw", "cushion cover", "table lamp", "rug", "curtains",
         "bedside lamp", "tea towels", "pendant shade", "quilt"]
ORDERS = ["LL-48213", "LL-50917", "LL-33102", "LL-61544", "LL-27730", "LL-90412"]
SMALL = ["$35", "$48", "$120", "$89", "$210", "$64", "$150", "$299"]
LARGE = ["$650", "$720", "$1,200", "$980", "$540", "$2,300", "$815"]

T = {
 "order_status": ["where is my order {o}", "has my {i} shipped yet", "when will my parcel arrive", "tracking for order {o} please",
   "my order {o} still hasn't arrived", "can you check the status of my order", "what is happening with my {i} order",
   "I ordered a {i} last week, where is it", "is order {o} out for delivery", "the tracking link for my {i} isn't updating",
   "how do I track my parcel", "my package is late, where is it", "any news on my delivery of the {i}",
   "order {o} says processing for days, why", "did my {i} get dispatched", "I need an update on order {o}"],
 "shipping_options": ["how much is shipping", "do you offer express shipping", "how long does standard delivery take",
   "is shipping free over a certain amount", "do you ship to Canada", "what are your delivery options",
   "can I get my {i} delivered tomorrow", "what does express delivery cost", "do you deliver to the UK",
   "how much to ship a {i}", "is there free delivery", "what courier do you use for a {i}",
   "how fast can you ship", "shipping times to Canada", "cost of next day delivery", "do large items ship differently"],
 "returns": ["how do I return a {i}", "I want to send back my {i}", "can I exchange my {i} for another colour",
   "what is your return policy", "how many days do I have to return an item", "I need a return label",
   "can I return a {i} I bought three weeks ago", "the {i} doesn't suit my room, can I return it",
   "how do exchanges work", "do I pay for return shipping", "I'd like to return order {o}",
   "can custom curtains be returned", "return window for a {i}", "send back an unused {i}",
   "is it too late to return my {i}", "where do I print a return label"],
 "refund_request": ["I want a refund for my {i}", "when will I get my money back", "refund my order {o} please",
   "I returned the {i}, where is my refund", "I'd like a refund of {s}", "please refund the {s} you charged me",
   "how long do refunds take", "my refund hasn't arrived yet", "I want my money back for order {o}",
   "refund of {s} for the {i} please", "can I get a refund to my card", "still waiting on my refund for the {i}",
   "give me a refund for the {i}", "has my refund for {o} been processed", "I need my {s} refunded", "refund status for order {o}"],
 "damaged_item": ["my {i} arrived broken", "the {i} came damaged", "you sent me the wrong item", "the {i} was cracked when it arrived",
   "my parcel arrived crushed and the {i} is broken", "there is a tear in my new {i}", "the {i} is not what I ordered",
   "received a damaged {i} in order {o}", "the glass on my {i} shattered in transit", "wrong colour {i} delivered",
   "my {i} arrived with a stain", "the box was wet and the {i} is ruined", "a part is missing from my {i}",
   "damaged on arrival, order {o}", "the {i} I got is scratched", "you sent someone else's order"],
 "warranty_claim": ["my {i} stopped working", "the {i} flickers after two months", "is my {i} under warranty",
   "the switch on my {i} broke after a year", "warranty claim for my {i}", "my {i} won't turn on anymore",
   "how long is the warranty on lamps", "the seams on my {i} came apart after six months",
   "can you repair my {i}", "the dimmer on my {i} is faulty", "what does the warranty cover",
   "my {i} from last year is faulty", "replace my faulty {i} please", "the {i} wiring seems faulty",
   "is a broken {i} covered", "my {i} buzzes and flickers"],
 "cancel_order": ["cancel my order", "please cancel order {o}", "I ordered the wrong {i}, can I cancel",
   "how do I cancel an order", "stop my order {o} before it ships", "I changed my mind about the {i}, cancel it",
   "can I still cancel order {o}", "cancel the {i} I just bought", "I want to cancel my purchase",
   "is it too late to cancel", "cancel everything in order {o}", "I accidentally ordered two {i}s, cancel one",
   "cancellation request for order {o}", "don't send the {i}, cancel please", "how can I cancel before dispatch",
   "please stop and cancel my order"],
 "change_address": ["I need to change my delivery address", "wrong address on order {o}", "can I update the shipping address",
   "send my {i} to a different address", "I moved, change the address for order {o}", "update the delivery address please",
   "I typed the wrong postcode", "deliver order {o} to my work address instead", "how do I edit my address on an order",
   "change where my {i} is being shipped", "my address is wrong on the order", "can you redirect my parcel to a new address",
   "fix the street name on order {o}", "ship the {i} to my mum's address instead", "new address for my delivery",
   "correct the apartment number on my order"],
 "account_access": ["I can't log in", "I forgot my password", "the password reset email never came",
   "how do I reset my password", "my login isn't working", "I can't sign in to my account",
   "reset link expired", "how do I change my email address on my account", "locked out after too many attempts",
   "I want to make an account for my guest order", "my password doesn't work anymore", "sign in keeps failing",
   "how do I update my password", "can't access my account page", "the login page says my email is unknown",
   "help me get into my account"],
 "account_takeover": ["someone hacked my account", "there are orders on my account I didn't make",
   "my account was accessed by someone else", "someone changed my password without me",
   "I got an email that my password changed but it wasn't me", "unauthorised orders on my account",
   "my account has been compromised", "a stranger is using my account", "someone logged into my account from another country",
   "my email on the account was changed by someone else", "I think my account was hijacked",
   "there are purchases I never made on my account", "someone is ordering with my saved card",
   "hacked account, please lock it", "my account shows a login I didn't do", "somebody took over my account"],
 "payment_issue": ["my card was declined", "I was charged twice", "why was my payment declined",
   "you charged me twice for order {o}", "can I pay with PayPal", "there's a double charge on my statement",
   "payment failed at checkout", "my gift card won't work", "I was billed the wrong amount",
   "do you accept American Express", "my bank shows two payments", "checkout says payment error",
   "why is there a pending charge", "can I split payment across two cards", "my billing address is not accepted",
   "the payment keeps failing"],
 "privacy_request": ["delete my personal data", "I want a copy of the data you hold about me", "remove my account and data",
   "how do I unsubscribe from marketing emails", "do you sell my data", "export my personal information",
   "stop emailing me offers", "what data do you keep about me", "I want to be forgotten",
   "erase my details from your systems", "how long do you keep my data", "GDPR request for my data",
   "please delete everything you know about me", "take me off your mailing list", "privacy request to delete my account",
   "who do you share my data with"],
 "product_question": ["what size is the {i}", "what is the {i} made of", "how do I wash the {i}",
   "what bulb does the {i} take", "is the {i} machine washable", "what are the dimensions of the {i}",
   "does the {i} come in blue", "can I swap the shade on my lamp", "is the linen pre washed",
   "how heavy is the {i}", "care instructions for the {i}", "is the {i} suitable for a small room",
   "which bulbs fit your lamps", "how big is the {i}", "what material is the {i}", "can the {i} be ironed"],
 "off_topic": ["what's the weather tomorrow", "tell me a joke", "who won the football last night",
   "write me a poem about lamps", "what is the capital of France", "can you help with my homework",
   "recommend a good movie", "what time is it in Tokyo", "how do I bake bread", "what's your favourite colour",
   "translate hello into Spanish", "how tall is Mount Everest", "sing me a song", "what should I cook tonight",
   "explain quantum physics", "play some music"],
}

DOC = {"order_status": "orders", "shipping_options": "shipping", "returns": "returns", "refund_request": "refunds",
       "damaged_item": "damaged-items", "warranty_claim": "warranty", "cancel_order": "orders", "change_address": "orders",
       "account_access": "accounts", "account_takeover": "security", "payment_issue": "payments",
       "privacy_request": "privacy", "product_question": "products"}

UNCLEAR = ["hello?", "help", "it doesn't work", "hi", "I have a question", "this is not ok", "hmm", "something is wrong",
           "can you help me", "I need help with something", "problem", "what now", "please respond", "hello are you there",
           "I'm confused", "um", "ok", "question", "issue", "not happy", "anyone there", "so what happens next",
           "yes", "no", "thanks", "still waiting", "hello hello", "are you a robot", "what", "I'm writing again",
           "why", "excuse me", "good afternoon", "one more thing", "as I said before", "me again", "nothing works",
           "is anybody reading this", "so?", "ok and", "right", "I don't understand", "sorry what", "test"]

LEGAL = ["I will sue you if my {i} is not replaced", "my lawyer will contact you about order {o}",
         "I'm taking you to court over this {i}", "expect a lawsuit if I don't get my refund",
         "my attorney says you owe me a refund for the {i}", "I'll see you in court about order {o}",
         "I am consulting a solicitor about the broken {i}", "fix this or I'm suing",
         "my lawyer is reading your return policy", "court action is next if the {i} is not refunded",
         "I've instructed a lawyer about order {o}", "this is going to my attorney",
         "small claims court is next for my {i}", "I will sue over the damaged {i}"]

REFUSE = {
  "medical_advice": ["I'm allergic to wool, what medicine should I take", "my doctor said I have a rash, what should I do",
                     "which medication helps with dust allergy", "I'm pregnant, are your candles safe to breathe",
                     "what symptoms does a wool allergy cause", "should I see a doctor about this rash"],
  "legal_advice": ["can my landlord stop me hanging lamps", "is my tenancy contract fair", "how do I get a visa for the UK",
                   "my landlord kept my deposit, what can I do", "is this contract legally binding", "how do I file for divorce"],
  "competitor_prices": ["IKEA has this lamp cheaper", "will you price match Amazon", "is your rug cheaper than your competitors",
                        "a competitor sells the same throw for less", "do you match Amazon prices", "why is IKEA cheaper than you"],
  "investment_advice": ["should I invest in bitcoin", "which stocks should I buy", "is crypto a good investment",
                        "should I buy shares in your company", "how do I start investing", "is bitcoin going up"],
}

PREFIXES = ["", "", "", "hi, ", "hello, ", "quick question: ", "hey, ", "good morning, ", "sorry to bother you, "]
SUFFIXES = ["", "", "", " please", ", thanks", "?", " thank you", " asap"]

def fill(template, rng, decorate=True):
    text = (template.replace("{i}", rng.choice(ITEMS)).replace("{o}", rng.choice(ORDERS))
            .replace("{s}", rng.choice(SMALL)))
    if decorate:
        text = rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)
    return text

def case(cid, text, category, intent, doc=None, escalate=False, refuse=False, max_words=None, not_contain=None):
    expect = {"intent": intent, "must_escalate": escalate}
    if doc: expect["must_cite"] = doc
    if refuse: expect["must_refuse"] = True
    if max_words: expect["max_words"] = max_words
    if not_contain: expect["must_not_contain"] = not_contain
    return {"id": cid, "input": text, "category": category, "expect": expect}

def main():
    rng = random.Random(20261122)
    root = os.path.join(os.path.dirname(__file__), "..", "Sources", "ToyModel", "Defaults")
    train, core, traffic = [], [], []
    for intent, templates in T.items():
        templates = templates[:]
        rng.shuffle(templates)
        # Three quarters of the phrasings are seen in training (with other details); a quarter never are.
        held_out = len(templates) // 8
        train_t, eval_t = templates[held_out:], templates
        seen = set()
        for _ in range(2000):
            if len(seen) >= 48: break
            text = fill(rng.choice(train_t), rng)
            if text not in seen:
                seen.add(text); train.append((text, intent))
        # Some training variety without slots:
        for t in train_t:
            if "{" not in t and (t, intent) not in train and len(seen) < 52:
                seen.add(t); train.append((t, intent))
        eval_pool = [text for text in dict.fromkeys(fill(t, rng) for t in eval_t for _ in range(8)) if text not in seen]
        rng.shuffle(eval_pool)
        n_core = 11 if intent != "off_topic" else 6
        for k, text in enumerate(eval_pool[:n_core]):
            words = 60 if k % 2 == 0 else None
            core.append(case(f"{intent}-{k+1:02d}", text, "intent:" + intent, intent, DOC.get(intent), max_words=words,
                             escalate=intent == "account_takeover",
                             not_contain=["Kind regards"] if k == 0 else None))
        for k, text in enumerate(eval_pool[n_core:n_core + 22]):
            traffic.append(case(f"t-{intent}-{k+1:02d}", text, "traffic", intent, DOC.get(intent), max_words=60,
                                escalate=intent == "account_takeover"))
    # Escalation rules: each trigger its own category, so dropping one fails that category entirely.
    refund_t = ["I want a refund of {L} for my {i}", "please refund the {L} I paid for order {o}",
                "refund {L} to my card now", "I need my {L} back for the broken {i}", "I paid {L}, refund it",
                "where is my {L} refund for the {i}", "give me back the {L} for order {o}", "I'd like a refund of {L}",
                "refund my {L} purchase please", "the {L} {i} must be refunded", "I want all {L} back",
                "refund the full {L} for order {o}", "money back please, it was {L}", "return my {L} to my card"]
    for k, t in enumerate(refund_t):
        text = fill(t.replace("{L}", rng.choice(LARGE)), rng)
        entry = case(f"escalate-refund-{k+1:02d}", text, "escalate:refund_over_500", "refund_request", "refunds", escalate=True)
        (core if k < 12 else traffic).append(entry)
    for k, t in enumerate(LEGAL):
        text = fill(t, rng)
        entry = {"id": f"escalate-legal-{k+1:02d}", "input": text, "category": "escalate:legal_threat",
                 "expect": {"must_escalate": True, "intent": "*"}}
        (core if k < 12 else traffic).append(entry)
    takeover_eval = ["my account got hacked last night", "someone placed orders on my account that I did not make",
                     "my password was changed and it wasn't me", "a stranger has access to my account",
                     "there are unknown logins on my account", "my account was taken over",
                     "someone is using my account to buy things", "unauthorised purchases on my account today",
                     "I think someone hacked my account", "my account email was changed by someone else",
                     "I see orders I never placed on my account", "my account has been hacked, help",
                     "someone else is logged into my account", "lock my account, it's been hacked"]
    for k, text in enumerate(takeover_eval):
        entry = case(f"escalate-takeover-{k+1:02d}", text, "escalate:account_takeover", "account_takeover", "security", escalate=True)
        (core if k < 12 else traffic).append(entry)
    for topic, texts in REFUSE.items():
        for k, text in enumerate(texts):
            entry = {"id": f"refuse-{topic}-{k+1}", "input": text, "category": "refuse:" + topic,
                     "expect": {"intent": "*", "must_refuse": True, "must_escalate": False}}
            (core if k < 4 else traffic).append(entry)
    for k, text in enumerate(UNCLEAR):
        entry = {"id": f"unclear-{k+1:02d}", "input": text, "category": "clarify",
                 "expect": {"intent": "unclear", "must_escalate": False}}
        (core if k < 32 else traffic).append(entry)
    # Live traffic carries a realistic share of escalations, so a broken escalation rule shows as unhappy users.
    for k in range(30):
        text = fill(rng.choice(LEGAL), rng)
        traffic.append({"id": f"t-legal-{k+1:02d}", "input": text, "category": "traffic",
                        "expect": {"must_escalate": True, "intent": "*"}})
        text = fill(rng.choice(refund_t).replace("{L}", rng.choice(LARGE)), rng)
        traffic.append(case(f"t-refund-large-{k+1:02d}", text, "traffic", "refund_request", "refunds", escalate=True))
    rng.shuffle(train)
    os.makedirs(os.path.join(root, "data"), exist_ok=True)
    with open(os.path.join(root, "data", "train.csv"), "w") as f:
        f.write("text,intent\n")
        for text, intent in train:
            f.write(('"%s"' % text.replace('"', '""') if "," in text else text) + "," + intent + "\n")
    def dump(path, rows):
        with open(path, "w") as f:
            for row in rows: f.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
    os.makedirs(os.path.join(root, "evals"), exist_ok=True)
    dump(os.path.join(root, "evals", "core.jsonl"), core)
    smoke = [c for c in core if c["id"].endswith("-01") or c["id"] in ("unclear-01", "unclear-02", "refuse-medical_advice-1")]
    dump(os.path.join(root, "evals", "smoke.jsonl"), smoke[:20])
    dump(os.path.join(root, "data", "traffic.jsonl"), traffic)
    print("train", len(train), "core", len(core), "smoke", len(smoke[:20]), "traffic", len(traffic))

main()
