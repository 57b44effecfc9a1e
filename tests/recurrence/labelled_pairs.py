"""Pairs of recommendations labelled by hand: the same recommendation made again in other words (REPEATS), and
look-alikes that share words but ask for something else (NOT_REPEATS). The first pairs come from the seed reports
(inspections/seeds/); the rest are worded as the Inspectorate's reports word them."""

# The texts are the reports' own, typographic quotes included.
# ruff: noqa: RUF001

KENT_VETTING = (
    "reduce vetting delays and address workforce instability by implementing streamlined recruitment processes"
)
SOUTH_CENTRAL_VETTING = (
    "Reduce vetting delays and address workforce instability by implementing streamlined and more responsive "
    "recruitment processes."
)

REPEATS: list[tuple[str, str]] = [
    (KENT_VETTING, SOUTH_CENTRAL_VETTING),
    (
        "ensure that PSOs have sufficient skills, knowledge and experience to adequately assess, plan, work with and "
        "review risk of harm to others",
        "Make sure that PSOs have the skills, knowledge and experience to assess, plan, work with and review the risk "
        "of harm people pose to others.",
    ),
    (
        "review AP capacity and placements to support the appropriate management and resettlement of people on "
        "probation.",
        "Review approved premises (AP) capacity and placements so that people on probation are managed and resettled "
        "appropriately.",
    ),
    (
        "Develop and implement training for PQIP and continuing professional development programmes that gives "
        "priority to applying practical skills in managing complex risk, ensuring consistency and quality across all "
        "regions.",
        "Develop training for PQiPs and continuing professional development programmes that prioritises practical "
        "skills in managing complex risk, consistently across all regions.",
    ),
    (
        "Develop and implement targeted training and supervision approaches that promote professional curiosity and "
        "analytical thinking.",
        "Implement targeted training and supervision that promote professional curiosity and analytical thinking "
        "among practitioners.",
    ),
    (
        "Evaluate and strengthen the delivery of interventions and services aimed at reducing risk of harm.",
        "Strengthen the delivery of interventions and services that reduce risk of harm, and evaluate their impact.",
    ),
    (
        "Embed public protection-specific metrics in dashboards to enable leaders to monitor quality and impact "
        "effectively.",
        "Embed public protection metrics in performance dashboards so that leaders can monitor the quality and "
        "impact of work.",
    ),
    (
        "ensure a strategic approach to identifying street gang and county lines nominals and strengthen strategic "
        "relationships, both internally and with partner agencies, to share information and effectively manage these "
        "cases.",
        "Develop a strategic approach to identifying street gang and county lines nominals, and strengthen "
        "relationships with partner agencies to share information and manage these cases effectively.",
    ),
    (
        "Review national arrangements to provide regions with greater autonomy in adapting risk management approaches "
        "to local contexts, while maintaining accountability and assurance.",
        "Give regions greater autonomy to adapt risk management approaches to local contexts, while maintaining "
        "national accountability and assurance.",
    ),
    (
        "develop a national strategic approach to information sharing with police and children’s services to support "
        "regions in achieving consistency and compliance with legislation to obtain and use information to protect "
        "the public",
        "Develop a national approach to sharing information with the police and children's services, so that regions "
        "obtain and use information to protect the public consistently and lawfully.",
    ),
    (
        "Ensure timely and consistent information exchange with all relevant multi-agency partners, and address "
        "barriers to communication.",
        "Address barriers to communication and make sure information is exchanged with all relevant multi-agency "
        "partners in a timely and consistent way.",
    ),
    (
        "Ensure that domestic abuse and child safeguarding information is requested and used in all cases.",
        "Make sure that domestic abuse and child safeguarding information is requested at the start of every case "
        "and used to inform assessment.",
    ),
    (
        "Improve the quality of assessments of risk of harm to others.",
        "Improve the quality of risk of harm assessments.",
    ),
    (
        "Ensure that home visits are carried out where appropriate to assess and manage risk of harm.",
        "Make sure home visits are undertaken when needed to assess and manage the risk of harm.",
    ),
    (
        "Ensure staff receive regular, good-quality supervision that focuses on risk of harm.",
        "Make sure practitioners receive regular good-quality supervision focused on risk of harm.",
    ),
    (
        "Reduce caseloads to manageable levels so that practitioners can deliver high-quality work.",
        "Reduce practitioners' caseloads to a manageable level so that they can deliver high-quality work.",
    ),
    (
        "Recruit and retain enough probation officers to meet demand.",
        "Improve the recruitment and retention of probation officers so that there are enough to meet demand.",
    ),
    (
        "Improve the availability of accredited programmes and structured interventions.",
        "Increase the availability of accredited programmes and structured interventions for people on probation.",
    ),
    (
        "Ensure that victims are offered the victim contact scheme in all eligible cases.",
        "Make sure that all eligible victims are offered the victim contact scheme.",
    ),
    (
        "Improve MAPPA referral processes so that cases are managed at the correct level.",
        "Improve the processes for referring cases to MAPPA so that they are managed at the correct level.",
    ),
    (
        "Make sure that IT systems allow practitioners to record and share information effectively.",
        "Ensure that IT systems enable practitioners to record and share information efficiently.",
    ),
    (
        "Improve the quality of sentence plans so that they address risk of harm to others.",
        "Make sure that sentence plans sufficiently address the risk of harm to others.",
    ),
    (
        "Develop a workforce strategy that addresses staff wellbeing and retention.",
        "Develop and implement a workforce strategy that addresses the wellbeing and retention of staff.",
    ),
    (
        "Ensure that unpaid work requirements start promptly and are managed effectively.",
        "Make sure unpaid work requirements start promptly and are effectively managed.",
    ),
    (
        "Ensure that accommodation needs are identified and addressed before release from custody.",
        "Make sure that accommodation needs are assessed and addressed before release from custody.",
    ),
    (
        "Involve people on probation in the design and delivery of services.",
        "Ensure people on probation are involved in designing and delivering services.",
    ),
]

NOT_REPEATS: list[tuple[str, str]] = [
    (
        KENT_VETTING,
        "Reduce caseloads and address workforce instability by recruiting more probation officers.",
    ),
    (
        "Develop and implement targeted training and supervision approaches that promote professional curiosity and "
        "analytical thinking.",
        "Develop and implement targeted training on domestic abuse for new practitioners.",
    ),
    (
        "Evaluate and strengthen the delivery of interventions and services aimed at reducing risk of harm.",
        "Evaluate and strengthen the delivery of unpaid work to improve compliance.",
    ),
    (
        "Embed public protection-specific metrics in dashboards to enable leaders to monitor quality and impact "
        "effectively.",
        "Enable leaders to monitor the quality of pre-sentence reports effectively.",
    ),
    (
        "Ensure timely and consistent information exchange with all relevant multi-agency partners, and address "
        "barriers to communication.",
        "Ensure timely and consistent recording of contacts in the case management system.",
    ),
    (
        "Monitor recruitment and retention of probation officers, and report on progress to the Inspectorate.",
        "Monitor work with victims and the victim contact scheme, and report on progress to the Inspectorate.",
    ),
    (
        "Put in place approved premises capacity and placements, and report on progress to the Inspectorate.",
        "Put in place performance metrics and quality assurance, and report on progress to the Inspectorate.",
    ),
    (
        "Develop training in professional curiosity for new staff, and report on progress to the Inspectorate.",
        "Develop access to accredited programmes and interventions, and report on progress to the Inspectorate.",
    ),
    (
        "Ensure that home visits are carried out where appropriate to assess and manage risk of harm.",
        "Ensure that home detention curfew checks are carried out before release.",
    ),
    (
        "Ensure that victims are offered the victim contact scheme in all eligible cases.",
        "Ensure that victims' views are included in parole reports in all eligible cases.",
    ),
    (
        "Improve the quality of sentence plans so that they address risk of harm to others.",
        "Improve the quality of pre-sentence reports so that courts receive timely advice.",
    ),
    (
        "Improve MAPPA referral processes so that cases are managed at the correct level.",
        "Improve the allocation processes so that cases are allocated to the correct grade of practitioner.",
    ),
    (
        "Ensure that unpaid work requirements start promptly and are managed effectively.",
        "Ensure that accredited programme requirements start promptly.",
    ),
    (
        "Ensure that accommodation needs are identified and addressed before release from custody.",
        "Ensure that employment needs are identified and addressed before release from custody.",
    ),
    (
        "ensure that PSOs have sufficient skills, knowledge and experience to adequately assess, plan, work with and "
        "review risk of harm to others",
        "ensure that approved premises staff have sufficient training to manage residents who pose a high risk",
    ),
    (
        "review AP capacity and placements to support the appropriate management and resettlement of people on "
        "probation.",
        "review the management of people on probation who are subject to licence recall.",
    ),
    (
        KENT_VETTING,
        "Embed public protection-specific metrics in dashboards to enable leaders to monitor quality and impact "
        "effectively.",
    ),
    (
        "Develop a workforce strategy that addresses staff wellbeing and retention.",
        "Develop a strategy for the estate that addresses the condition of probation offices.",
    ),
    (
        "Recruit and retain enough probation officers to meet demand.",
        "Recruit and retain enough approved premises staff to keep residents safe.",
    ),
    (
        "Improve the quality of assessments of risk of harm to others.",
        "Improve the quality of assessments of the likelihood of reoffending.",
    ),
    (
        "Make sure that IT systems allow practitioners to record and share information effectively.",
        "Make sure that practitioners have time to attend multi-agency meetings.",
    ),
    (
        "Reduce caseloads to manageable levels so that practitioners can deliver high-quality work.",
        "Reduce the use of agency staff so that the workforce is stable.",
    ),
]
