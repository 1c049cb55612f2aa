"""CKV_MLOPS_1: SageMaker Studio domains are VPC-only and use a customer KMS key (mirrors MLOPS-001)."""
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class SageMakerDomainVpcOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure SageMaker Studio domains are VPC-only with a customer KMS key",
            id="CKV_MLOPS_1",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_sagemaker_domain"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        access = (conf.get("app_network_access_type") or ["PublicInternetOnly"])[0]
        key = (conf.get("kms_key_id") or [None])[0]
        return CheckResult.PASSED if access == "VpcOnly" and key else CheckResult.FAILED


check = SageMakerDomainVpcOnly()
