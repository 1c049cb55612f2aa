# Feature Store in the small tier: the retraining pipeline trains on a feature group, read from its
# offline store, instead of the CSVs under training_data_uri. Add it to the demo:
#   make demo VARS=environments/small/feature-store.tfvars && make ingest-features && make retrain
# The group holds the demo dataset's columns (f0..f29, target) plus its record identifier and event time.
feature_groups = {
  tumours = {
    record_identifier = "record_id"
    event_time        = "event_time"
    online            = false # training reads the offline store; nothing serves features online here
    features = {
      record_id  = "String"
      event_time = "String"
      f0         = "Fractional"
      f1         = "Fractional"
      f2         = "Fractional"
      f3         = "Fractional"
      f4         = "Fractional"
      f5         = "Fractional"
      f6         = "Fractional"
      f7         = "Fractional"
      f8         = "Fractional"
      f9         = "Fractional"
      f10        = "Fractional"
      f11        = "Fractional"
      f12        = "Fractional"
      f13        = "Fractional"
      f14        = "Fractional"
      f15        = "Fractional"
      f16        = "Fractional"
      f17        = "Fractional"
      f18        = "Fractional"
      f19        = "Fractional"
      f20        = "Fractional"
      f21        = "Fractional"
      f22        = "Fractional"
      f23        = "Fractional"
      f24        = "Fractional"
      f25        = "Fractional"
      f26        = "Fractional"
      f27        = "Fractional"
      f28        = "Fractional"
      f29        = "Fractional"
      target     = "Integral"
    }
  }
}

training_feature_group = "tumours"
