"""Coverage: site and address status, gap map, KPIs, expansion plans, ring closures and plan variants.

The status of every site and of address points, the gap map, KPIs per district and over the years, expansion
plans, ring closures and plan variants, from the inventory's layers (`inventory`) and the network analysis
(`topology`).
"""
