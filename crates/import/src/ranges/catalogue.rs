//! What the range importer knows about each provider: its entities (with
//! parents), where it publishes its ranges, and which of its services get
//! a rule, with the category a match implies.
//!
//! Entity ids and parents agree with `public/rules/providers.json`, so a
//! bundle may include both: a provider declared twice alike is one provider.

use super::From;

/// One provider entity: id, name, parent.
pub(super) type EntityDef = (&'static str, &'static str, Option<&'static str>);

/// A service (a tag of the file) that gets a rule.
pub(super) struct Service {
    /// The tag as the file writes it (`CLOUDFRONT`, `AzureCloud`).
    pub(super) tag: &'static str,
    /// The provider entity a match attributes to.
    pub(super) entity: &'static str,
    /// The service category a match implies.
    pub(super) category: &'static str,
    /// What an address in the set means, for the rule's explanation.
    pub(super) means: &'static str,
    /// Whether the tag covers every other tag's addresses (AWS `AMAZON`,
    /// Azure `AzureCloud`): its set is kept whole, and the others are not
    /// carved by it.
    pub(super) superset: bool,
}

/// Everything the importer knows about one `--from` value.
pub(super) struct Catalogue {
    /// Who publishes the file.
    pub(super) publisher: &'static str,
    /// The file's title.
    pub(super) title: &'static str,
    /// The official URL of the file.
    pub(super) url: &'static str,
    /// The provider's page describing the file.
    pub(super) docs: &'static str,
    /// Entities, parents first.
    pub(super) entities: &'static [EntityDef],
    /// Services that get a rule; other tags are left out and counted.
    pub(super) services: &'static [Service],
}

const AWS_URL: &str = "https://ip-ranges.amazonaws.com/ip-ranges.json";
const AWS_DOCS: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html";

pub(super) fn of(from: From) -> Catalogue {
    match from {
        From::Aws => Catalogue {
            publisher: "Amazon Web Services",
            title: "AWS IP address ranges (ip-ranges.json)",
            url: AWS_URL,
            docs: AWS_DOCS,
            entities: &[
                ("amazon", "Amazon", None),
                ("aws", "Amazon Web Services", Some("amazon")),
                ("amazon-ec2", "Amazon EC2", Some("aws")),
                ("amazon-cloudfront", "Amazon CloudFront", Some("aws")),
                ("amazon-s3", "Amazon S3", Some("aws")),
                ("amazon-route53", "Amazon Route 53", Some("aws")),
            ],
            services: &[
                Service {
                    tag: "AMAZON",
                    entity: "amazon",
                    category: "hosting",
                    means: "an address of Amazon's network (AWS lists every Amazon address under AMAZON, its superset tag, whatever service uses it)",
                    superset: true,
                },
                Service {
                    tag: "EC2",
                    entity: "amazon-ec2",
                    category: "hosting",
                    means: "an Amazon EC2 address: the name is served from an AWS virtual server",
                    superset: false,
                },
                Service {
                    tag: "CLOUDFRONT",
                    entity: "amazon-cloudfront",
                    category: "cdn",
                    means: "a CloudFront edge address: the name is delivered by Amazon's CDN",
                    superset: false,
                },
                Service {
                    tag: "S3",
                    entity: "amazon-s3",
                    category: "hosting",
                    means: "an Amazon S3 address: the name is served from S3 storage",
                    superset: false,
                },
                Service {
                    tag: "ROUTE53",
                    entity: "amazon-route53",
                    category: "dns",
                    means: "a Route 53 name server address: a host resolving here (a firm's own ns1 name, say) is a Route 53 name server",
                    superset: false,
                },
            ],
        },
        From::Cloudflare => Catalogue {
            publisher: "Cloudflare",
            title: "Cloudflare IP ranges (ips-v4, ips-v6)",
            url: "https://www.cloudflare.com/ips/",
            docs: "https://developers.cloudflare.com/fundamentals/concepts/cloudflare-ip-addresses/",
            entities: &[("cloudflare", "Cloudflare", None)],
            services: &[Service {
                tag: "cloudflare",
                entity: "cloudflare",
                category: "cdn",
                means: "an address of Cloudflare's network: a proxied name resolves to Cloudflare, which fronts the origin",
                superset: false,
            }],
        },
        From::Google => Catalogue {
            publisher: "Google",
            title: "Google IP address ranges (goog.json)",
            url: "https://www.gstatic.com/ipranges/goog.json",
            docs: "https://support.google.com/a/answer/10026322",
            entities: &[("google", "Google", None)],
            services: &[Service {
                tag: "goog",
                entity: "google",
                category: "hosting",
                means: "an address Google uses for its services, Google Cloud customers' included (Google documents its own services' addresses as goog.json minus cloud.json)",
                superset: false,
            }],
        },
        From::GoogleCloud => Catalogue {
            publisher: "Google",
            title: "Google Cloud IP address ranges (cloud.json)",
            url: "https://www.gstatic.com/ipranges/cloud.json",
            docs: "https://support.google.com/a/answer/10026322",
            entities: &[
                ("google", "Google", None),
                ("google-cloud", "Google Cloud", Some("google")),
            ],
            services: &[Service {
                tag: "Google Cloud",
                entity: "google-cloud",
                category: "hosting",
                means: "an external address Google Cloud assigns to customers' resources",
                superset: false,
            }],
        },
        From::Azure => Catalogue {
            publisher: "Microsoft",
            title: "Azure IP Ranges and Service Tags, Public Cloud",
            url: "https://www.microsoft.com/en-us/download/details.aspx?id=56519",
            docs: "https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview",
            entities: &[
                ("microsoft", "Microsoft", None),
                ("azure", "Microsoft Azure", Some("microsoft")),
            ],
            services: &[
                Service {
                    tag: "AzureCloud",
                    entity: "azure",
                    category: "hosting",
                    means: "an address of Azure's public cloud (AzureCloud, the tag covering all of Azure's public addresses)",
                    superset: true,
                },
                Service {
                    tag: "AzureFrontDoor.Frontend",
                    entity: "azure",
                    category: "cdn",
                    means: "an Azure Front Door front-end address: the name is delivered by Microsoft's CDN",
                    superset: false,
                },
                Service {
                    tag: "AppService",
                    entity: "azure",
                    category: "hosting",
                    means: "an Azure App Service address: the name is served by Microsoft's web hosting",
                    superset: false,
                },
                Service {
                    tag: "Storage",
                    entity: "azure",
                    category: "hosting",
                    means: "an Azure Storage address",
                    superset: false,
                },
            ],
        },
        From::Oracle => Catalogue {
            publisher: "Oracle",
            title: "Oracle Cloud Infrastructure public IP address ranges",
            url: "https://docs.oracle.com/iaas/tools/public_ip_ranges.json",
            docs: "https://docs.oracle.com/en-us/iaas/Content/General/Concepts/addressranges.htm",
            entities: &[
                ("oracle", "Oracle", None),
                ("oracle-cloud", "Oracle Cloud Infrastructure", Some("oracle")),
            ],
            services: &[
                Service {
                    tag: "OCI",
                    entity: "oracle-cloud",
                    category: "hosting",
                    means: "an Oracle Cloud Infrastructure address",
                    superset: false,
                },
                Service {
                    tag: "OBJECT_STORAGE",
                    entity: "oracle-cloud",
                    category: "hosting",
                    means: "an OCI Object Storage address",
                    superset: false,
                },
            ],
        },
        From::Fastly => Catalogue {
            publisher: "Fastly",
            title: "Fastly public IP list",
            url: "https://api.fastly.com/public-ip-list",
            docs: "https://www.fastly.com/documentation/reference/api/utils/public-ip-list/",
            entities: &[("fastly", "Fastly", None)],
            services: &[Service {
                tag: "fastly",
                entity: "fastly",
                category: "cdn",
                means: "an address of Fastly's edge network: the name is delivered by Fastly",
                superset: false,
            }],
        },
        From::DigitalOcean => Catalogue {
            publisher: "DigitalOcean",
            title: "DigitalOcean IP ranges (geofeed)",
            url: "https://www.digitalocean.com/geo/google.csv",
            docs: "https://www.digitalocean.com/geo/google.csv",
            entities: &[("digitalocean", "DigitalOcean", None)],
            services: &[Service {
                tag: "digitalocean",
                entity: "digitalocean",
                category: "hosting",
                means: "an address DigitalOcean assigns to its customers' servers",
                superset: false,
            }],
        },
    }
}
