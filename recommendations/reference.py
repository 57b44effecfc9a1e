"""The theme vocabulary, with the words in a recommendation that suggest each theme."""

THEMES: dict[str, str] = {
    "Workforce and recruitment": "vetting,recruitment,workforce,staffing,retention,vacanc",
    "Training and development": "training,skills,knowledge,supervision,professional curiosity,pqip,development",
    "Information sharing": "information sharing,information exchange,share information,police,children's services",
    "Risk of harm": "risk of harm,risk management,keeping people safe,public protection,assess",
    "Interventions and services": "intervention,services,programme,accredited,rehabilitat",
    "Approved premises": "approved premises,ap capacity,placements",
    "Performance and assurance": "metrics,dashboard,assurance,quality,performance,monitor",
    "Governance and autonomy": "autonomy,national arrangements,governance,accountability,strategic",
    "Victims": "victim",
    "Gangs and exploitation": "gang,county lines,exploitation,organised crime",
}
