"""Labelled sample values, one per entity type the default config scrubs (all fake)."""

from __future__ import annotations

#: entity type -> (value, a sentence around it); values pass Presidio's checksums.
CASES: dict[str, tuple[str, str]] = {
    "EMAIL_ADDRESS": ("john.smith@acme.io", "Write to {} for details."),
    "PHONE_NUMBER": ("+1 (212) 555-1234", "Call {} after nine."),
    "CREDIT_CARD": ("4111 1111 1111 1111", "The card 4111 is not it; use {} instead."),
    "IBAN_CODE": ("GB82 WEST 1234 5698 7654 32", "Transfer to {} today."),
    "IP_ADDRESS": ("192.168.10.42", "The host is {} on the office network."),
    "US_SSN": ("536-90-4399", "Her SSN is {} per the form."),
    "URL": ("https://intranet.acme.io/hr/records?session=Zk8Qw2Lm9Xv4Tp7R", "See {} for the file."),
    "CRYPTO": ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "Send BTC to {} now."),
    "OPENAI_API_KEY": ("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "Use {} as the key."),
    "ANTHROPIC_API_KEY": ("sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1H", "Set it to {} please."),
    "AWS_ACCESS_KEY": ("AKIAIOSFODNN7EXAMPLE", "The id {} belongs to ci."),
    "GITHUB_TOKEN": ("ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "Token {} was leaked."),
    "SLACK_TOKEN": ("xoxb-123456789012-abcdefghijKL", "Bot uses {} today."),
    "STRIPE_KEY": ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Charge with {} only."),
    "JWT": ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "Header Authorization: {} ok."),
    "PRIVATE_KEY": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7\nq9Zk3\n"
                    "-----END RSA PRIVATE KEY-----", "Here:\n{}\nDone."),
    "SECRET": ("Xk9#mP2$vL7qR4", "The password: {} is temporary."),
}


def sentence(entity: str) -> tuple[str, str]:
    value, template = CASES[entity]
    return value, template.format(value)
