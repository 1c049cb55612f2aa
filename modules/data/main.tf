# The data lake: KMS-encrypted, TLS-only buckets registered with Lake Formation, a Glue catalog,
# and fine-grained grants (database, table, column). Nothing falls back to IAM-only access: the
# default IAMAllowedPrincipals grants are removed, so every read goes through a Lake Formation grant.
locals {
  name_prefix  = "${var.prefix}-data"
  database     = replace("${var.prefix}_curated", "-", "_")
  bucket_names = { for zone in ["raw", "curated"] : zone => "${var.prefix}-${var.account_id}-${var.region}-lake-${zone}" }
  lf_role_name = "${local.name_prefix}-lake-formation"
  lf_role_arn  = "arn:${var.partition}:iam::${var.account_id}:role/mlops/${local.lf_role_name}"
  exporters    = sort([for c in values(var.consumers) : c.role_arn if c.read_training_exports])
  table_grants = merge([for key, c in var.consumers : { for table, grant in c.tables : "${key}/${table}" => merge(grant, { role_arn = c.role_arn, table = table }) }]...)
}

module "kms" {
  source             = "../components/kms-key"
  name               = local.name_prefix
  description        = "Data lake of ${var.prefix}"
  account_id         = var.account_id
  region             = var.region
  partition          = var.partition
  service_principals = ["glue.amazonaws.com"]
  user_arns          = local.exporters # Lake Formation's role is in this account: its own policy grants it the key
  tags               = var.tags
}

# The training pipelines read their exported CSVs (curated/exports/<folder>/, one folder per use
# case) directly: jobs read S3 prefixes, not tables. Those prefixes are named, read-only, for the named roles.
data "aws_iam_policy_document" "training_exports" {
  count = length(local.exporters) > 0 ? 1 : 0
  statement {
    sid       = "PipelinesReadTrainingExports"
    actions   = ["s3:GetObject"]
    resources = [for folder in sort(var.training_exports) : "arn:${var.partition}:s3:::${local.bucket_names.curated}/exports/${folder}/*"]
    principals {
      type        = "AWS"
      identifiers = local.exporters
    }
  }
  statement {
    sid       = "PipelinesListTrainingExports"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${var.partition}:s3:::${local.bucket_names.curated}"]
    principals {
      type        = "AWS"
      identifiers = local.exporters
    }
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [for folder in sort(var.training_exports) : "exports/${folder}/*"]
    }
  }
}

module "bucket" {
  source            = "../components/bucket"
  for_each          = local.bucket_names
  name              = each.value
  kms_key_arn       = module.kms.arn
  kms_key_alias_arn = module.kms.alias_arn_known_at_plan
  partition         = var.partition
  force_destroy     = var.force_destroy
  policy_documents  = each.key == "curated" ? data.aws_iam_policy_document.training_exports[*].json : []
  tags              = var.tags
}

module "lakeformation_trust" {
  source     = "../components/service-trust"
  service    = "lakeformation.amazonaws.com"
  account_id = var.account_id
}

data "aws_iam_policy_document" "lake_formation" {
  statement {
    sid       = "ServeRegisteredLocations"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = flatten([for name in values(local.bucket_names) : ["arn:${var.partition}:s3:::${name}", "arn:${var.partition}:s3:::${name}/*"]])
  }
  statement {
    sid       = "UseKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]
    resources = ["arn:${var.partition}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name]
    }
  }
}

resource "aws_iam_role" "lake_formation" {
  name               = local.lf_role_name
  path               = "/mlops/"
  description        = "Lake Formation vends access to the ${var.prefix} lake buckets"
  assume_role_policy = module.lakeformation_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "lake_formation" {
  name   = "registered-locations"
  role   = aws_iam_role.lake_formation.name
  policy = data.aws_iam_policy_document.lake_formation.json
}

resource "aws_lakeformation_data_lake_settings" "this" {
  admins = sort(var.admin_arns)
  # No create_database/table_default_permissions blocks: new databases and tables get no
  # IAMAllowedPrincipals grant, so IAM permissions alone never open the lake.
}

resource "aws_lakeformation_resource" "bucket" {
  for_each   = local.bucket_names
  arn        = "arn:${var.partition}:s3:::${each.value}"
  role_arn   = local.lf_role_arn
  depends_on = [aws_iam_role_policy.lake_formation, module.bucket]
}

resource "aws_glue_catalog_database" "curated" {
  name         = local.database
  description  = "Curated, versioned datasets of ${var.prefix}"
  location_uri = "s3://${local.bucket_names.curated}/tables/"
  tags         = var.tags
}

resource "aws_glue_catalog_table" "this" {
  for_each      = var.tables
  name          = each.key
  database_name = aws_glue_catalog_database.curated.name
  table_type    = "EXTERNAL_TABLE"
  parameters    = { classification = "parquet" }

  storage_descriptor {
    location      = "s3://${local.bucket_names.curated}/tables/${each.key}/"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }
    dynamic "columns" {
      for_each = each.value.columns
      content {
        name = columns.key
        type = columns.value
      }
    }
  }
}

resource "aws_lakeformation_permissions" "database" {
  for_each    = var.consumers
  principal   = each.value.role_arn
  permissions = ["DESCRIBE"]
  database {
    name = aws_glue_catalog_database.curated.name
  }
  depends_on = [aws_lakeformation_data_lake_settings.this]
}

# Table level (every column) or column level (all but the excluded ones, e.g. identifiers).
resource "aws_lakeformation_permissions" "table" {
  for_each    = local.table_grants
  principal   = each.value.role_arn
  permissions = ["SELECT"]

  dynamic "table" {
    for_each = length(each.value.excluded_columns) == 0 ? [1] : []
    content {
      database_name = aws_glue_catalog_database.curated.name
      name          = aws_glue_catalog_table.this[each.value.table].name
    }
  }
  dynamic "table_with_columns" {
    for_each = length(each.value.excluded_columns) > 0 ? [1] : []
    content {
      database_name         = aws_glue_catalog_database.curated.name
      name                  = aws_glue_catalog_table.this[each.value.table].name
      wildcard              = true
      excluded_column_names = each.value.excluded_columns
    }
  }
  depends_on = [aws_lakeformation_data_lake_settings.this]
}
