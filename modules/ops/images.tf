# Accounts that publish the SageMaker scikit-learn framework images, by region
# (from the SageMaker Python SDK's image_uri_config/sklearn.json).
locals {
  sklearn_image_accounts = {
    "us-east-1"      = "683313688378"
    "us-east-2"      = "257758044811"
    "us-west-1"      = "746614075791"
    "us-west-2"      = "246618743249"
    "eu-west-1"      = "141502667606"
    "eu-west-2"      = "764974769150"
    "eu-central-1"   = "492215442770"
    "ap-southeast-2" = "783357654285"
    "ap-northeast-1" = "354813040037"
  }
  sklearn_image = coalesce(
    var.sklearn_image_uri,
    "${lookup(local.sklearn_image_accounts, var.region, "000000000000")}.dkr.ecr.${var.region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
  )
}
