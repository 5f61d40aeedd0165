/// The HTTP API's contract, OpenAPI 3.1, served at `GET /openapi.json`. Every route the daemon
/// registers is here and nothing else (`OpenAPIDocumentTests` walks the router), and the document is
/// checked with openapi-spec-validator by the integration tests.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Moderato",
    "version": "1",
    "summary": "Self-hosted moderation for reader comments",
    "description": "Forward comments, follow verdicts and decisions, or talk the Akismet protocol. Every /v1 route and /metrics need `Authorization: Bearer TOKEN`."
  },
  "servers": [
    {
      "url": "http://127.0.0.1:8088"
    }
  ],
  "security": [
    {
      "bearer": []
    }
  ],
  "paths": {
    "/v1/comments": {
      "post": {
        "operationId": "submitComment",
        "summary": "Forward a new comment; answered once it is durably queued.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Comment"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Queued (or, for an id sent before with the same content, its current status).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Accepted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Busy"
          }
        }
      }
    },
    "/v1/comments/{id}": {
      "get": {
        "operationId": "getComment",
        "summary": "A comment's current status and the evidence behind its verdict.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The comment's status.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Verdict"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          }
        }
      },
      "put": {
        "operationId": "editComment",
        "summary": "Forward a reader's edit: the whole comment again; the new text and rating are judged at once and the old text kept.",
        "description": "The id, article_id and author must be the comment's (409 otherwise). A comment a person held or rejected is held at least after an edit. A comment still queued is judged later, with the new text. Sending the same text again changes nothing. A comment takes at most 50 edits (409 too_many_edits after).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Comment"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The comment's status after the edit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Verdict"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "415": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Busy"
          }
        }
      }
    },
    "/v1/comments/{id}/reports": {
      "post": {
        "operationId": "reportComment",
        "summary": "A reader reports a comment; enough reports take an approved comment back for review.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Report"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Recorded (or, for a reporter who reported it before, nothing changed). A report of a comment still queued counts once it is judged.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReportReceipt"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "415": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          }
        }
      }
    },
    "/v1/decisions": {
      "get": {
        "operationId": "listDecisions",
        "summary": "Every decision after a feed position, oldest first: the website's change feed.",
        "parameters": [
          {
            "name": "after",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 0,
              "default": 0,
              "maximum": 9223372036854775807,
              "format": "int64"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of the feed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Feed"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/healthz": {
      "get": {
        "operationId": "health",
        "summary": "Whether the daemon and its database answer (for load balancers).",
        "security": [],
        "responses": {
          "200": {
            "description": "Up.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "status": {
                      "const": "ok"
                    }
                  },
                  "required": [
                    "status"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "500": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus metrics (text exposition format).",
        "responses": {
          "200": {
            "description": "Metrics.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document.",
        "security": [],
        "responses": {
          "200": {
            "description": "The OpenAPI document.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        }
      }
    },
    "/1.1/verify-key": {
      "post": {
        "operationId": "akismetVerifyKey",
        "summary": "Akismet: check a key.",
        "security": [],
        "requestBody": {
          "required": false,
          "content": {
            "application/x-www-form-urlencoded": {
              "schema": {
                "type": "object",
                "properties": {
                  "key": {
                    "type": "string",
                    "description": "The key to check."
                  },
                  "blog": {
                    "type": "string",
                    "description": "The site's URL."
                  }
                },
                "required": []
              }
            }
          },
          "description": "Without a body (no key, no blog), the answer is `invalid`, as Akismet's."
        },
        "responses": {
          "200": {
            "description": "`valid` or `invalid`.",
            "content": {
              "text/plain": {
                "schema": {
                  "enum": [
                    "valid",
                    "invalid"
                  ]
                }
              }
            }
          }
        }
      }
    },
    "/1.1/comment-check": {
      "post": {
        "operationId": "akismetCommentCheck",
        "summary": "Akismet: judge a comment now.",
        "security": [],
        "requestBody": {
          "$ref": "#/components/requestBodies/AkismetComment"
        },
        "responses": {
          "200": {
            "description": "`true` (spam or held: keep it off the site) or `false`; `invalid` for a bad key.",
            "content": {
              "text/plain": {
                "schema": {
                  "enum": [
                    "true",
                    "false",
                    "invalid"
                  ]
                }
              }
            },
            "headers": {
              "X-akismet-pro-tip": {
                "description": "`discard` when the comment is certainly unwanted.",
                "schema": {
                  "type": "string"
                }
              },
              "X-akismet-debug-help": {
                "description": "Why a request was refused.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Busy"
          }
        }
      }
    },
    "/1.1/submit-spam": {
      "post": {
        "operationId": "akismetSubmitSpam",
        "summary": "Akismet: the site says a comment is spam.",
        "security": [],
        "requestBody": {
          "$ref": "#/components/requestBodies/AkismetComment"
        },
        "responses": {
          "200": {
            "$ref": "#/components/responses/AkismetThanks"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/1.1/submit-ham": {
      "post": {
        "operationId": "akismetSubmitHam",
        "summary": "Akismet: the site says a comment is wanted.",
        "security": [],
        "requestBody": {
          "$ref": "#/components/requestBodies/AkismetComment"
        },
        "responses": {
          "200": {
            "$ref": "#/components/responses/AkismetThanks"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/1.2/usage-limit": {
      "get": {
        "operationId": "akismetUsageLimit",
        "summary": "Akismet: usage (Moderato has no limit).",
        "security": [],
        "parameters": [
          {
            "name": "api_key",
            "in": "query",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Usage, or `invalid` for a bad key. With a missing or unknown key, the text `invalid` (as Akismet answers).",
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {
                      "$ref": "#/components/schemas/AkismetUsage"
                    },
                    {
                      "const": "invalid"
                    }
                  ]
                }
              },
              "text/plain": {
                "schema": {
                  "const": "invalid",
                  "description": "When the key is missing or unknown."
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "requestBodies": {
      "AkismetComment": {
        "required": false,
        "content": {
          "application/x-www-form-urlencoded": {
            "schema": {
              "type": "object",
              "properties": {
                "api_key": {
                  "type": "string",
                  "description": "The Moderato API token (or a key from MODERATO_AKISMET_KEYS)."
                },
                "blog": {
                  "type": "string",
                  "description": "The site's URL."
                },
                "user_ip": {
                  "type": "string",
                  "description": "The commenter's IP address."
                },
                "user_agent": {
                  "type": "string",
                  "description": "The commenter's browser."
                },
                "referrer": {
                  "type": "string",
                  "description": "The page that linked to the form."
                },
                "permalink": {
                  "type": "string",
                  "description": "The article's URL."
                },
                "comment_type": {
                  "type": "string",
                  "description": "comment, reply, …"
                },
                "comment_author": {
                  "type": "string",
                  "description": "The commenter's name."
                },
                "comment_author_email": {
                  "type": "string",
                  "description": "The commenter's e-mail."
                },
                "comment_author_url": {
                  "type": "string",
                  "description": "The commenter's website."
                },
                "comment_content": {
                  "type": "string",
                  "description": "The comment's text."
                },
                "comment_date_gmt": {
                  "type": "string",
                  "description": "When it was written (ISO 8601)."
                },
                "honeypot_field_name": {
                  "type": "string",
                  "description": "The name of a hidden form field only robots fill in."
                },
                "rating": {
                  "type": "string",
                  "description": "The 1–5 star rating (Moderato's extension; 3 when absent)."
                }
              },
              "required": []
            }
          }
        },
        "description": "Without a body (no key, no blog), the answer is `invalid`, as Akismet's."
      }
    },
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The API token (MODERATO_API_TOKEN)."
      }
    },
    "responses": {
      "Error": {
        "description": "The request was refused; the error says why and which field.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Busy": {
        "description": "The queue is full (or judging is paused); retry after the given time.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        },
        "headers": {
          "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {
              "type": "integer"
            }
          }
        }
      },
      "AkismetThanks": {
        "description": "Thanks, or `invalid` for a bad key.",
        "content": {
          "text/plain": {
            "schema": {
              "type": "string"
            }
          }
        }
      },
      "RateLimited": {
        "description": "Too many reports from this reporter or network; retry after the given time.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        },
        "headers": {
          "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {
              "type": "integer"
            }
          }
        }
      }
    },
    "schemas": {
      "Comment": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "id",
          "article_id",
          "author",
          "body",
          "rating"
        ],
        "properties": {
          "id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "description": "The site's id for the comment; re-sending it is idempotent. No spaces or control characters.",
            "pattern": "^[^\\u0000-\\u0020\\u0085\\s]+$"
          },
          "article_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": "^[^\\u0000-\\u0020\\u0085\\s]+$",
            "description": "No spaces or control characters."
          },
          "article_url": {
            "anyOf": [
              {
                "type": "null"
              },
              {
                "type": "string",
                "maxLength": 0
              },
              {
                "type": "string",
                "pattern": "^https?://[^\\u0000]*$",
                "maxLength": 2048,
                "description": "The article's http:// or https:// URL."
              }
            ]
          },
          "author": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "pattern": "[^\\u0000-\\u0020\\u0085\\s]",
            "description": "The name the reader gave; not only spaces."
          },
          "email": {
            "anyOf": [
              {
                "type": "null"
              },
              {
                "type": "string",
                "maxLength": 0
              },
              {
                "type": "string",
                "pattern": "^[^@\\s\\u0000\\u0085]+@[^@\\s\\u0000\\u0085]*\\.[^@\\s\\u0000\\u0085]*$",
                "maxLength": 254,
                "description": "name@example.org"
              }
            ]
          },
          "ip": {
            "anyOf": [
              {
                "type": "null"
              },
              {
                "type": "string",
                "maxLength": 0
              },
              {
                "type": "string",
                "anyOf": [
                  {
                    "format": "ipv4"
                  },
                  {
                    "format": "ipv6"
                  }
                ],
                "description": "IPv4 or IPv6 address."
              }
            ]
          },
          "user_agent": {
            "anyOf": [
              {
                "type": "null"
              },
              {
                "type": "string",
                "maxLength": 0
              },
              {
                "type": "string",
                "maxLength": 512,
                "pattern": "^[^\\u0000]*$"
              }
            ]
          },
          "body": {
            "type": "string",
            "description": "May be empty; at most 10,000 characters by default (the daemon's limit). No NUL characters.",
            "pattern": "^[^\\u0000]*$",
            "maxLength": 10000
          },
          "rating": {
            "type": "integer",
            "minimum": 1,
            "maximum": 5
          },
          "submitted_at": {
            "anyOf": [
              {
                "type": "null"
              },
              {
                "type": "string",
                "maxLength": 0
              },
              {
                "type": "string",
                "format": "date-time",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-7]):[0-5][0-9]|18:00))$",
                "description": "When the reader posted it: RFC 3339 with an upper-case T and Z, and an offset of at most 18 hours."
              }
            ]
          }
        },
        "description": "Optional fields that are null or empty are treated as absent."
      },
      "Accepted": {
        "type": "object",
        "required": [
          "id",
          "status"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "status": {
            "$ref": "#/components/schemas/Status"
          }
        }
      },
      "Status": {
        "enum": [
          "queued",
          "approved",
          "held",
          "rejected"
        ]
      },
      "Verdict": {
        "type": "object",
        "required": [
          "id",
          "status",
          "reasons",
          "edited"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "status": {
            "$ref": "#/components/schemas/Status"
          },
          "score": {
            "type": [
              "number",
              "null"
            ]
          },
          "reasons": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "source",
                "signal",
                "score",
                "explanation",
                "shadow"
              ],
              "properties": {
                "source": {
                  "type": "string"
                },
                "signal": {
                  "type": "string"
                },
                "score": {
                  "type": "number"
                },
                "action": {
                  "enum": [
                    "hold",
                    "reject",
                    "approve",
                    null
                  ]
                },
                "explanation": {
                  "type": "string"
                },
                "shadow": {
                  "type": "boolean"
                }
              }
            }
          },
          "edited": {
            "type": "boolean",
            "description": "Whether the text changed after it arrived (the reader's edit, or a moderator's edit or redaction)."
          },
          "body": {
            "type": [
              "string",
              "null"
            ],
            "description": "The text now, when it was edited: what the website shows."
          }
        }
      },
      "Decision": {
        "type": "object",
        "required": [
          "seq",
          "id",
          "status",
          "actor",
          "actor_kind",
          "at",
          "edited"
        ],
        "properties": {
          "seq": {
            "type": "integer"
          },
          "id": {
            "type": "string"
          },
          "status": {
            "$ref": "#/components/schemas/Status"
          },
          "previous": {
            "type": [
              "string",
              "null"
            ]
          },
          "actor": {
            "type": "string"
          },
          "actor_kind": {
            "enum": [
              "system",
              "moderator",
              "site",
              "readers"
            ]
          },
          "reason": {
            "type": [
              "string",
              "null"
            ]
          },
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "edited": {
            "type": "boolean",
            "description": "Whether the comment's text had changed after it arrived when this decision was made."
          },
          "body": {
            "type": [
              "string",
              "null"
            ],
            "description": "The text this decision was about, when it had been edited by then: show this text."
          }
        }
      },
      "Feed": {
        "type": "object",
        "required": [
          "decisions",
          "next"
        ],
        "properties": {
          "decisions": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Decision"
            }
          },
          "next": {
            "type": "integer"
          }
        }
      },
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "code",
              "message"
            ],
            "properties": {
              "code": {
                "type": "string"
              },
              "message": {
                "type": "string"
              },
              "field": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          }
        }
      },
      "AkismetUsage": {
        "type": "object",
        "required": [
          "limit",
          "usage",
          "percentage",
          "throttled"
        ],
        "properties": {
          "limit": {
            "type": "string"
          },
          "usage": {
            "type": "integer"
          },
          "percentage": {
            "type": "string"
          },
          "throttled": {
            "type": "boolean"
          }
        }
      },
      "Report": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "reporter",
          "reason"
        ],
        "properties": {
          "reporter": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "description": "The website's id for the reader (no spaces); one report per reporter and comment counts."
          },
          "reason": {
            "enum": [
              "spam",
              "abuse",
              "personal-data",
              "legal",
              "off-topic",
              "other"
            ],
            "description": "legal and personal-data hold the comment after one report (reports.hold_after_urgent); the others after reports.hold_after (3)."
          },
          "note": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1000,
            "description": "What the reader wrote, shown to moderators."
          },
          "ip": {
            "type": [
              "string",
              "null"
            ],
            "description": "The reader's address, for the per-network rate limit."
          }
        }
      },
      "ReportReceipt": {
        "type": "object",
        "required": [
          "id",
          "reporter",
          "counted",
          "status",
          "held"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "reporter": {
            "type": "string"
          },
          "counted": {
            "type": "boolean",
            "description": "False when this reporter had reported the comment before (nothing changed)."
          },
          "status": {
            "$ref": "#/components/schemas/Status"
          },
          "held": {
            "type": "boolean",
            "description": "Whether this report took the comment back for review (a decision with actor_kind readers is in the feed)."
          }
        }
      }
    }
  }
}
"""#
}
