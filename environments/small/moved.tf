# State of the small tier before it was modules/tier (release 0.x wired the roles here by hand):
# every resource keeps its identity, nothing is destroyed or re-created.
moved {
  from = module.network
  to   = module.tier.module.network_dev
}

moved {
  from = module.artifact
  to   = module.tier.module.artifact
}

moved {
  from = module.dev
  to   = module.tier.module.dev
}

moved {
  from = module.ops
  to   = module.tier.module.ops
}

moved {
  from = module.prod
  to   = module.tier.module.prod
}
