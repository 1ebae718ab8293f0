"""The six lifecycle stages every programme starts with, from DOMAIN.md.

Goals, deliverables and gate criteria are defaults: each programme edits its own copy.
"""

STAGES = [
    {
        "number": 1,
        "name": "Overall planning",
        "goals": "Diagnose the current state, analyse customer-facing problems, find the opportunities "
                 "and write the overall plan, with company goals and system goals side by side.",
        "expertise_needed": "Strategy consultant with CRM experience in the industry",
        "deliverables": ["Current-state diagnosis", "Requirements survey",
                         "Feasibility study (technical, economic, operational, schedule)",
                         "Overall plan with phased goals"],
        "criteria": ["Every system goal serves a company goal and has a measurable target",
                     "The first phase aims at a visible quick win, not at everything",
                     "An executive sponsor is named and has accepted the role",
                     "The feasibility study covers technical, economic, operational and schedule risks"],
    },
    {
        "number": 2,
        "name": "Project initiation",
        "goals": "Form the project team with key people from each affected department and consultants, "
                 "and choose where the rollout starts.",
        "expertise_needed": "Project management and change management consultants",
        "deliverables": ["Project charter", "Project team with a member from each affected department",
                         "Steering committee with its meeting calendar", "Data cleaning and standardisation plan"],
        "criteria": ["Every affected department has a named representative in the team",
                     "The steering committee is formed and its meetings are scheduled",
                     "The pilot region is chosen",
                     "Vision and short-term goals have been told to everyone affected"],
    },
    {
        "number": 3,
        "name": "Business-process optimisation",
        "goals": "Document today's processes, confirmed by every department involved with end users "
                 "taking part, then redesign them rather than bending the system to broken processes.",
        "expertise_needed": "Business-process consultants",
        "deliverables": ["Current processes documented", "Redesigned processes", "Process-change explanation for users"],
        "criteria": ["Current processes are documented and confirmed by every affected department",
                     "End users took part in documenting and redesigning the processes",
                     "Redesigned processes are signed off by the process owners"],
    },
    {
        "number": 4,
        "name": "Product selection",
        "goals": "Choose the vendor and modules; compare a custom build with a packaged product.",
        "expertise_needed": "Independent selection consultant; integration architect",
        "deliverables": ["Vendor shortlist and demonstrations", "Build-versus-buy comparison",
                         "Selected vendor and modules", "Integration assessment (ERP and other systems)"],
        "criteria": ["Build and buy were compared on cost, cycle time, stability and flexibility",
                     "Required functions are covered without extra components to buy, or those are budgeted",
                     "Network and database capacity at every site is assessed"],
    },
    {
        "number": 5,
        "name": "Implementation and application",
        "goals": "Configure, migrate data, train, go live region by region, and work through the problems "
                 "of real use.",
        "expertise_needed": "Vendor implementation team; data-migration specialist; trainers",
        "deliverables": ["Configured system", "Migrated and cleaned customer data", "Trained users per region",
                         "Pilot region live and stable after its trial period", "All regions live"],
        "criteria": ["Every region is live and through its trial period",
                     "Open critical defects are resolved",
                     "Training completion meets the programme's threshold in every region",
                     "Internal experts (super-users) from the business support each region"],
    },
    {
        "number": 6,
        "name": "Continuous improvement",
        "goals": "Review with the vendor and consultants whether the goals set at the start were met, and "
                 "adjust. The project is never done.",
        "expertise_needed": "Vendor account team; business analysts",
        "deliverables": ["Goals review: actual against target", "Improvement backlog", "Adoption report per region"],
        "criteria": ["Every goal has an actual value measured against its target",
                     "Adoption meets the programme's threshold in every region"],
    },
]
