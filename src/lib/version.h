#define CRM_VERSION "0.1.0"
