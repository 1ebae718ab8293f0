"""Word lists the generator draws from: places with their time zones, names, jobs, courses and topics."""

#: (place, IANA zone): the first is headquarters (the pilot); the next ones are the key markets
PLACES = (
    ("Headquarters Frankfurt", "Europe/Berlin"), ("UK and Ireland", "Europe/London"),
    ("North America East", "America/New_York"), ("Japan", "Asia/Tokyo"), ("France", "Europe/Paris"),
    ("Brazil", "America/Sao_Paulo"), ("India", "Asia/Kolkata"), ("Australia and New Zealand", "Australia/Sydney"),
    ("North America West", "America/Los_Angeles"), ("Nordics", "Europe/Stockholm"), ("Iberia", "Europe/Madrid"),
    ("Italy", "Europe/Rome"), ("Mexico", "America/Mexico_City"), ("Singapore", "Asia/Singapore"),
    ("South Africa", "Africa/Johannesburg"), ("Gulf States", "Asia/Dubai"), ("Poland", "Europe/Warsaw"),
    ("Korea", "Asia/Seoul"), ("Canada", "America/Toronto"), ("Argentina", "America/Argentina/Buenos_Aires"),
    ("Benelux", "Europe/Amsterdam"), ("Turkey", "Europe/Istanbul"), ("China", "Asia/Shanghai"),
    ("Central America", "America/Costa_Rica"), ("Egypt", "Africa/Cairo"), ("Indonesia", "Asia/Jakarta"),
    ("Chile", "America/Santiago"), ("Switzerland and Austria", "Europe/Zurich"), ("Kenya", "Africa/Nairobi"),
    ("Hawaii", "Pacific/Honolulu"),
)

FIRST_NAMES = (
    "Aisha", "Akira", "Amelia", "Ana", "Arjun", "Astrid", "Bea", "Carlos", "Chen", "Chloe", "Daniel", "Elena",
    "Emeka", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jakob", "Jia", "Kofi", "Lars", "Layla",
    "Lena", "Lucas", "Maya", "Mateo", "Mei", "Nadia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Rosa", "Sami",
    "Sofia", "Tariq", "Thandiwe", "Tomás", "Yuki", "Zara", "Ben", "Clara", "David", "Eva", "Jonas", "Marta",
)
LAST_NAMES = (
    "Adeyemi", "Andersson", "Becker", "Bianchi", "Brown", "Chen", "Costa", "Dubois", "Evans", "Fernández",
    "Fischer", "García", "Gupta", "Hansen", "Hoffmann", "Ivanova", "Jansen", "Kim", "Kowalski", "Kumar", "Lee",
    "López", "Martin", "Meyer", "Moreau", "Müller", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel",
    "Pereira", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith", "Suzuki", "Tanaka", "Wagner", "Wang",
    "Weber", "Williams", "Wilson", "Yamamoto", "Yilmaz", "Zhang", "Ziegler",
)

#: (department, is IT, job roles with their weights)
DEPARTMENTS = (
    ("Sales", False, (("Sales representative", 6), ("Key account manager", 2), ("Sales manager", 1))),
    ("Customer service", False, (("Service agent", 6), ("Service team lead", 1))),
    ("Finance", False, (("Accountant", 3), ("Controller", 1))),
    ("Operations", False, (("Planner", 3), ("Warehouse lead", 2))),
    ("Marketing", False, (("Marketing specialist", 2),)),
    ("Procurement", False, (("Buyer", 2),)),
    ("IT operations", True, (("System administrator", 2), ("Support analyst", 2))),
    ("Business applications", True, (("Application analyst", 2), ("Developer", 1))),
)

#: (course title, format, minutes, job roles that need it; empty: everyone)
COURSES = (
    ("Getting started with the new system", "virtual", 90, ()),
    ("Finding and updating records", "classroom", 120, ()),
    ("Data protection in the new system", "virtual", 60, ()),
    ("Reports and dashboards", "virtual", 90, ("Sales manager", "Service team lead", "Controller",
                                               "Marketing specialist", "Key account manager")),
    ("Opportunities and quotes", "classroom", 180, ("Sales representative", "Key account manager",
                                                    "Sales manager")),
    ("Handling service cases", "classroom", 180, ("Service agent", "Service team lead")),
    ("Invoices and postings", "classroom", 150, ("Accountant", "Controller", "Buyer")),
    ("Orders and stock", "classroom", 150, ("Planner", "Warehouse lead", "Buyer")),
    ("Administration and support", "virtual", 240, ("System administrator", "Support analyst",
                                                    "Application analyst", "Developer")),
    ("Working the new process day to day", "classroom", 120, ("Sales representative", "Service agent",
                                                              "Accountant", "Planner", "Marketing specialist",
                                                              "Warehouse lead", "Support analyst")),
)

RISK_TEMPLATES = (
    ("sponsorship", "Sponsor attention drifts to {topic}"),
    ("committee", "Committee decisions on {topic} wait too long"),
    ("vision_goals", "People in {region} do not see why {topic} changes"),
    ("communication", "Go-live notice for {region} reaches people too late"),
    ("business_process", "The new {topic} process is not agreed in {region}"),
    ("change_culture", "Teams in {region} keep their own spreadsheets for {topic}"),
    ("scope", "Requests to add {topic} features late in the project"),
    ("training", "Trainers in {region} are booked for {topic} work"),
    ("adoption", "Low use of {topic} screens after go-live in {region}"),
    ("technical_fitness", "{topic} pages are slow over the {region} network"),
    ("data_quality", "Duplicate {topic} records migrated for {region}"),
    ("integration_vendor", "The vendor's {topic} interface is late"),
)
TOPICS = ("quotes", "service cases", "invoices", "orders", "stock", "reports", "customer data", "approvals",
          "price lists", "contracts")

FEEDBACK_TEXTS = (
    ("question", "training", "Will there be a session in the afternoon for part-time staff?"),
    ("question", "system", "How do I find the {topic} I created last week?"),
    ("feedback", "process", "The new approval step for {topic} takes longer than before."),
    ("question", "data", "Some of my {topic} are missing after the migration."),
    ("feedback", "training", "The hands-on exercises on {topic} helped a lot."),
    ("question", "go-live", "Can we still use the old system for {topic} in the first week?"),
    ("feedback", "system", "Searching {topic} is much faster now."),
    ("question", "other", "Who do I ask about access rights for {topic}?"),
)
