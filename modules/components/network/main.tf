module "flow_log_key" {
  source      = "../kms-key"
  count       = var.own_flow_log_key ? 1 : 0
  name        = "${var.name}-network"
  description = "Flow logs of the ${var.name} VPC"
  account_id  = var.account_id
  region      = var.region
  partition   = var.partition
  tags        = var.tags
}

locals {
  flow_log_key = var.own_flow_log_key ? module.flow_log_key[0].arn : var.flow_log_kms_key_arn
}

locals {
  az_subnets = { for i, az in var.availability_zones : az => cidrsubnet(var.cidr_block, 4, i) }
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = var.name })
}

# No rules: nothing may use the default security group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-default-unused" })
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/vpc/${var.name}/flow-logs"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = local.flow_log_key
  tags              = var.tags
}

module "flow_logs_trust" {
  source     = "../service-trust"
  service    = "vpc-flow-logs.amazonaws.com"
  account_id = var.account_id
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:/vpc/${var.name}/flow-logs:*"]
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "${var.name}-vpc-flow-logs"
  path               = "/mlops/"
  assume_role_policy = module.flow_logs_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "deliver"
  role   = aws_iam_role.flow_logs.name
  policy = data.aws_iam_policy_document.flow_logs.json
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn
  tags                 = var.tags
}

resource "aws_subnet" "private" {
  for_each          = local.az_subnets
  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value
  tags              = merge(var.tags, { Name = "${var.name}-private-${each.key}", "mlops:network" = var.name }) # policies may allow network interfaces only here
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "private" {
  for_each       = aws_subnet.private
  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "workloads" {
  name        = "${var.name}-workloads"
  description = "SageMaker Studio, jobs, endpoints and Lambdas: HTTPS within the VPC only"
  vpc_id      = aws_vpc.this.id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "https_within_vpc" {
  security_group_id = aws_security_group.workloads.id
  description       = "HTTPS from the VPC (VPC endpoints, Studio apps)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.cidr_block
}

resource "aws_vpc_security_group_ingress_rule" "self" {
  security_group_id            = aws_security_group.workloads.id
  description                  = "Traffic between members (Studio apps, distributed training)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.workloads.id
}

resource "aws_vpc_security_group_egress_rule" "within_vpc" {
  security_group_id = aws_security_group.workloads.id
  description       = "Anything within the VPC; there is no route out of it"
  ip_protocol       = "-1"
  cidr_ipv4         = var.cidr_block
}

resource "aws_vpc_security_group_egress_rule" "s3_gateway" {
  security_group_id = aws_security_group.workloads.id
  description       = "HTTPS to S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
  tags              = merge(var.tags, { Name = "${var.name}-s3" })
}

resource "aws_vpc_endpoint" "interface" {
  for_each            = var.interface_endpoints
  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [for s in aws_subnet.private : s.id]
  security_group_ids  = [aws_security_group.workloads.id]
  tags                = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
