output "name" {
  description = "The network's name, also the mlops:network tag of its subnets."
  value       = var.name
}

output "security_group_id" {
  description = "Security group for workloads in the VPC."
  value       = aws_security_group.workloads.id
}

output "subnet_ids" {
  description = "Private subnet IDs, in availability-zone order."
  value       = [for az in var.availability_zones : aws_subnet.private[az].id]
}

output "vpc_id" {
  description = "VPC ID."
  value       = aws_vpc.this.id
}
