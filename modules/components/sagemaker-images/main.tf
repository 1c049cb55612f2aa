# Accounts that publish SageMaker's images, by region (from the SageMaker Python SDK's
# image_uri_config: sklearn.json, model-monitor.json, clarify.json).
locals {
  accounts = {
    sklearn = {
      "us-east-1"      = "683313688378", "us-east-2" = "257758044811", "us-west-1" = "746614075791", "us-west-2" = "246618743249",
      "eu-west-1"      = "141502667606", "eu-west-2" = "764974769150", "eu-central-1" = "492215442770",
      "ap-southeast-2" = "783357654285", "ap-northeast-1" = "354813040037",
    }
    model_monitor = {
      "us-east-1"      = "156813124566", "us-east-2" = "777275614652", "us-west-1" = "890145073186", "us-west-2" = "159807026194",
      "eu-west-1"      = "468650794304", "eu-west-2" = "749857270468", "eu-central-1" = "048819808253",
      "ap-southeast-2" = "563025443158", "ap-northeast-1" = "574779866223",
    }
    clarify = {
      "us-east-1"      = "205585389593", "us-east-2" = "211330385671", "us-west-1" = "740489534195", "us-west-2" = "306415355426",
      "eu-west-1"      = "131013547314", "eu-west-2" = "440796970383", "eu-central-1" = "017069133835",
      "ap-southeast-2" = "007051062584", "ap-northeast-1" = "377024640650",
    }
  }
  repositories = {
    sklearn       = "sagemaker-scikit-learn:1.2-1-cpu-py3"
    model_monitor = "sagemaker-model-monitor-analyzer"
    clarify       = "sagemaker-clarify-processing:1.0"
  }
  uris = { for kind, repository in local.repositories : kind => coalesce(
    var.overrides[kind],
    "${lookup(local.accounts[kind], var.region, "000000000000")}.dkr.ecr.${var.region}.amazonaws.com/${repository}",
  ) }
}
